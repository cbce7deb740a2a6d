// What the demo page takes from the official client: everything else is left out of the bundle.
export { createCable } from '@anycable/web'
