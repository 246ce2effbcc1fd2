export { healthProbeWorkflow } from './health-probe';
