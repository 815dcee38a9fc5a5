export { ServiceProcess, type ServiceName } from '../../tools/harness';
