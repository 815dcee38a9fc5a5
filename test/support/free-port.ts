export { freePort } from '../../tools/harness';
