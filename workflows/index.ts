export { healthProbeWorkflow } from './health-probe';
export { creatorTrackingWorkflow } from './creator-tracking';
export { videoTrackingWorkflow } from './video-tracking';
export { webhookDeliveryWorkflow } from './webhook-delivery';
export { postCollectionWorkflow, audienceRefreshWorkflow } from './paid-jobs';
export { satelliteWorkflow } from './satellite';
