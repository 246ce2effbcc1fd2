export { healthProbeWorkflow } from './health-probe';
export { creatorTrackingWorkflow } from './creator-tracking';
