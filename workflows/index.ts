export { healthProbeWorkflow } from './health-probe';
export { creatorTrackingWorkflow } from './creator-tracking';
export { videoTrackingWorkflow } from './video-tracking';
