export { PrivateBroker } from '../../tools/harness';
