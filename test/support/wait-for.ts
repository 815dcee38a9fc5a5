export { waitFor } from '../../tools/harness';
