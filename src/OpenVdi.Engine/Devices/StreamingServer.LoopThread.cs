using System.Diagnostics;

namespace OpenVdi.Engine.Devices;

public sealed partial class StreamingServer
{
    /// <summary>
    /// A device loop's own thread (<see cref="StreamingOptions.ParallelDevices"/>): the agent's thread only retires
    /// completions and hands each to its device's thread, so the devices copy in parallel on every processor instead
    /// of one after another on the agent's.
    /// </summary>
    /// <remarks>
    /// A device's loop waits for one thing at a time, and arms the next wait while running on this thread, so at most
    /// one hand-over is ever pending: one slot, no queue. The thread sleeps on an event and never spins: device threads
    /// of their own mean more threads than processors, where a spinning waiter takes the time the others need.
    /// </remarks>
    internal sealed class LoopThread : IDisposable
    {
        // Spin count 0: the thread goes straight to sleep; Set costs no system call while the thread is running.
        private readonly ManualResetEventSlim _ready = new(false, 0);
        private readonly Thread _thread;
        private IThreadPoolWorkItem? _next;
        private volatile bool _stopping;

        public LoopThread(string name)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = name };
            _thread.Start();
        }

        /// <summary>Runs <paramref name="work"/> on this thread, after whatever it runs now.</summary>
        public void Post(IThreadPoolWorkItem work)
        {
            var previous = Interlocked.Exchange(ref _next, work);
            Debug.Assert(previous is null && !_stopping, "A device loop waits for one thing at a time, and nothing is handed over after it ended.");
            _ready.Set();
        }

        /// <summary>Starts <paramref name="loop"/> on this thread; the task is the loop's.</summary>
        public Task Start(Func<Task> loop)
        {
            var start = new LoopStart(loop);
            Post(start);
            return start.Loop.Unwrap();
        }

        /// <summary>Ends the thread once the hand-over it holds (if any) has run, and waits for it.</summary>
        public void Dispose()
        {
            _stopping = true;
            _ready.Set();
            _thread.Join();
            _ready.Dispose();
        }

        private void Run()
        {
            while (true)
            {
                // Reset before looking: a hand-over made after the look sets the event again, so none is slept through.
                _ready.Wait();
                _ready.Reset();
                if (Interlocked.Exchange(ref _next, null) is { } work)
                {
                    work.Execute();
                }
                else if (_stopping)
                {
                    return;
                }
            }
        }

        /// <summary>The first hand-over: runs the loop's synchronous start on the thread.</summary>
        private sealed class LoopStart(Func<Task> loop) : IThreadPoolWorkItem
        {
            private readonly TaskCompletionSource<Task> _loop = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public Task<Task> Loop => _loop.Task;

            [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "The loop's own failure belongs to its task, as it would with an async method's.")]
            public void Execute()
            {
                try
                {
                    _loop.SetResult(loop());
                }
                catch (Exception e)
                {
                    _loop.SetException(e);
                }
            }
        }
    }
}
