// The bench's receiver, in a process of its own as a real collector would be, so that decoding
// does not share the sender's event loop. Sends its URL; answers "count" (records acknowledged and
// its CPU time) and "close" over IPC.
import { startOtlpReceiver } from '@kora/test-support';

const receiver = await startOtlpReceiver({ keepRequests: false });
process.on('message', (message) => {
  if (message === 'count') process.send?.({ count: receiver.acknowledgedRecordCount(), cpu: process.cpuUsage() });
  if (message === 'close') void receiver.close().then(() => process.disconnect());
});
process.send?.({ url: receiver.url });
