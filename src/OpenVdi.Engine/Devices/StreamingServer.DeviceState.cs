using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace OpenVdi.Engine.Devices;

public sealed partial class StreamingServer
{
    /// <summary>
    /// One device's side of the run: its commands in flight in send order, and the one thing its loop may wait for at a
    /// time, as a pooled awaitable: a command's completion (<see cref="WhenCompleted"/>, completed by the command's
    /// routine on the agent's thread) or a free buffer (<see cref="BufferPool.TakeAsync"/>). Continuations run on the
    /// completing thread: nothing is allocated per command, and no thread but the agent's is woken.
    /// </summary>
    internal sealed class DeviceState : IValueTaskSource<bool>, IValueTaskSource<VdsCommand?>, IThreadPoolWorkItem
    {
        private static readonly object s_done = new();

        private readonly Lock _lock = new();
        private ManualResetValueTaskSourceCore<bool> _completion = new() { RunContinuationsAsynchronously = false };
        private ManualResetValueTaskSourceCore<VdsCommand?> _buffer = new() { RunContinuationsAsynchronously = false };
        private VdsCommand? _awaited;
        private ITimer? _timer;

        // With a loop thread, what the next hand-over completes: the command wait (with _completedResult) or the buffer wait.
        private bool _handingCompletion;
        private bool _completedResult;
        private VdsCommand? _handedBuffer;

        public DeviceState(int index, IServerVirtualDevice device, int window, LoopThread? thread)
        {
            Index = index;
            Device = device;
            Window = window;
            OwnThread = thread;
            OnCompleted = Completed;
        }

        /// <summary>The device's own thread, where its loop's continuations run; null: they run on the completing thread (the agent's).</summary>
        public LoopThread? OwnThread { get; }

        public int Index { get; }

        public IServerVirtualDevice Device { get; }

        public int Window { get; }

        public Queue<VdsCommand> InFlight { get; } = new();

        /// <summary>The completion routine of every command this device sends (one delegate, made once).</summary>
        public Action<VdsCommand> OnCompleted { get; }

        public long Bytes { get; set; }

        /// <summary>
        /// A send was refused because the device is in IO-ERROR while commands were in flight: one of them must then turn
        /// out to have failed (or, on a read, to have met the end). If none does, the state was not the client's doing.
        /// </summary>
        public bool RefusedForIoError { get; set; }

        /// <summary>
        /// True once <paramref name="command"/> completed; false when <paramref name="timeout"/> (not infinite) passed
        /// first. Synchronous when it has completed already.
        /// </summary>
        public ValueTask<bool> WhenCompleted(VdsCommand command, TimeSpan timeout)
        {
            lock (_lock)
            {
                AssertInvariants();
                if (ReferenceEquals(command.CompletionContext, s_done))
                {
                    return new ValueTask<bool>(true);
                }

                _completion.Reset();
                _awaited = command;
                if (timeout != Timeout.InfiniteTimeSpan)
                {
                    // The server's own patience (a fault under test): the timer gives up on the command.
                    _timer = TimeProvider.System.CreateTimer(static state => ((DeviceState)state!).TimedOut(), this, timeout, Timeout.InfiniteTimeSpan);
                }

                return new ValueTask<bool>(this, _completion.Version);
            }
        }

        /// <summary>Arms the wait for a free buffer; <see cref="BufferPool"/> completes it (with null when the run stops).</summary>
        public ValueTask<VdsCommand?> WaitForBuffer()
        {
            _buffer.Reset();
            return new ValueTask<VdsCommand?>(this, _buffer.Version);
        }

        /// <summary>Hands the waiting loop a buffer (or null: the run stops).</summary>
        public void GiveBuffer(VdsCommand? command)
        {
            if (OwnThread is null)
            {
                _buffer.SetResult(command);
                return;
            }

            _handingCompletion = false;
            _handedBuffer = command;
            OwnThread.Post(this);
        }

        /// <summary>On the loop thread: completes the wait the last hand-over was for, so the loop goes on here.</summary>
        void IThreadPoolWorkItem.Execute()
        {
            // The fields were written before Post's interlocked exchange of the slot, and are read after Run's: ordered.
            if (_handingCompletion)
            {
                _completion.SetResult(_completedResult);
            }
            else
            {
                var buffer = _handedBuffer;
                _handedBuffer = null;
                _buffer.SetResult(buffer);
            }
        }

        private void ResumeCompletion(bool completed)
        {
            if (OwnThread is null)
            {
                _completion.SetResult(completed);
                return;
            }

            _handingCompletion = true;
            _completedResult = completed;
            OwnThread.Post(this);
        }

        bool IValueTaskSource<bool>.GetResult(short token) => _completion.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _completion.GetStatus(token);

        void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _completion.OnCompleted(continuation, state, token, flags);

        VdsCommand? IValueTaskSource<VdsCommand?>.GetResult(short token) => _buffer.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource<VdsCommand?>.GetStatus(short token) => _buffer.GetStatus(token);

        void IValueTaskSource<VdsCommand?>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _buffer.OnCompleted(continuation, state, token, flags);

        /// <summary>A command's routine (the agent's thread; the sender's for a refused send; Close's for an abort sweep).</summary>
        private void Completed(VdsCommand command)
        {
            bool resume;
            lock (_lock)
            {
                command.CompletionContext = s_done;
                resume = ReferenceEquals(_awaited, command);
                if (resume)
                {
                    _awaited = null;
                    _timer?.Dispose();
                    _timer = null;
                }
            }

            // Outside the lock: the loop's continuation runs here, or on the device's thread.
            if (resume)
            {
                ResumeCompletion(true);
            }
        }

        private void TimedOut()
        {
            lock (_lock)
            {
                if (_awaited is null)
                {
                    return;
                }

                _awaited = null;
                _timer?.Dispose();
                _timer = null;
            }

            ResumeCompletion(false);
        }

        [Conditional("DEBUG")]
        private void AssertInvariants() =>
            Debug.Assert(_awaited is null, "A device's loop waits for one command at a time.");
    }
}
