/**
 * Runs work in a task of its own: after the current task and the render it queued (React renders a store
 * change in a microtask), like `setTimeout(work, 0)`, but not held back in a hidden tab, where Chromium
 * runs timers at most once a second.
 */
export function nextTask(work: () => void): void {
  const { port1, port2 } = new MessageChannel();
  port1.onmessage = () => {
    port1.close();
    work();
  };
  port2.postMessage(null);
}
