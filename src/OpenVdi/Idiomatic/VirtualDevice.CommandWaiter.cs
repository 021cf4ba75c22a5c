using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace OpenVdi;

public sealed partial class VirtualDevice
{
    /// <summary>
    /// The waiting half of <see cref="GetCommandAsync"/> over an implementation other than OpenVdi's transport
    /// (Microsoft's library, say), whose GetCommand no token can interrupt: one reusable value-task source per device
    /// and a thread of the device's own that makes the blocking faithful wait in slices of
    /// <see cref="WaitTimeout.SliceMs"/>, checking the token between them. Nothing is allocated per wait.
    /// </summary>
    /// <remarks>
    /// Ownership: between <see cref="Start"/> and the caller's <see cref="GetResult"/> the device's fetch flag is held
    /// on the caller's behalf, so no other fetch runs and <see cref="Start"/> is never called while the source is in
    /// use. The thread ends when it is idle after the device reached a terminal result (end, abort, protocol error) or
    /// after <see cref="Stop"/>; a later <see cref="Start"/> makes a new one.
    /// </remarks>
    private sealed class CommandWaiter : IValueTaskSource<DeviceCommand?>
    {
        private readonly VirtualDevice _owner;

        /// <summary>Guards the request hand-off fields below; the thread sleeps on it with Monitor.Wait.</summary>
        private readonly object _sync = new();
        private ManualResetValueTaskSourceCore<DeviceCommand?> _core = new() { RunContinuationsAsynchronously = true };
        private CancellationToken _token;
        private bool _requested;
        private bool _running;
        private bool _stopping;
        private bool _finished;

        public CommandWaiter(VirtualDevice owner) => _owner = owner;

        /// <summary>Hands one wait to the thread, starting the thread if none runs. The caller holds the device's fetch flag.</summary>
        public ValueTask<DeviceCommand?> Start(CancellationToken cancellationToken)
        {
            lock (_sync)
            {
                AssertInvariants();
                _core.Reset();
                _token = cancellationToken;
                _requested = true;
                if (_running)
                {
                    Monitor.Pulse(_sync);
                }
                else
                {
                    StartThreadUnsynchronized();
                }

                return new ValueTask<DeviceCommand?>(this, _core.Version);
            }
        }

        /// <summary>Lets an idle thread end for good (the set is disposed); a wait in progress ends by itself on the closed set.</summary>
        public void Stop()
        {
            lock (_sync)
            {
                _stopping = true;
                Monitor.Pulse(_sync);
            }
        }

        public DeviceCommand? GetResult(short token)
        {
            try
            {
                return _core.GetResult(token);
            }
            finally
            {
                // The result is taken: the device may be fetched from again.
                _owner.Exit();
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        private void StartThreadUnsynchronized()
        {
            _running = true;
            _finished = false;
            try
            {
                var thread = new Thread(Run)
                {
                    IsBackground = true,
                    Name = "OpenVdi device wait",
                };
                thread.Start();
            }
            catch
            {
                _running = false;
                _requested = false;
                throw;
            }
        }

        private void Run()
        {
            while (true)
            {
                CancellationToken token;
                lock (_sync)
                {
                    while (!_requested)
                    {
                        if (_stopping || _finished)
                        {
                            _running = false;
                            return;
                        }

                        Monitor.Wait(_sync);
                    }

                    _requested = false;
                    token = _token;
                }

                Serve(token);
            }
        }

        /// <summary>Waits in slices until a command, the end, a failure or a cancellation, and completes the source with it.</summary>
        [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "Every failure must reach the awaiting caller, not end the thread.")]
        private void Serve(CancellationToken token)
        {
            DeviceCommand? value = null;
            Exception? failure = null;
            try
            {
                while (true)
                {
                    if (token.IsCancellationRequested)
                    {
                        failure = new OperationCanceledException(token);
                        break;
                    }

                    var result = _owner._device.GetCommand(WaitTimeout.SliceMs, out var command);
                    if (result == VdiResult.VD_E_TIMEOUT)
                    {
                        continue;
                    }

                    if (result == VdiResult.NOERROR)
                    {
                        value = new DeviceCommand(_owner, command!);
                        break;
                    }

                    // End, abort or a protocol error: every later fetch answers at once, so no thread is needed.
                    lock (_sync)
                    {
                        _finished = true;
                    }

                    if (result != VdiResult.VD_E_CLOSE)
                    {
                        failure = _owner.CreateFetchException(result);
                    }
                    else
                    {
                        _owner.MarkEnded();
                    }

                    break;
                }
            }
            catch (Exception e)
            {
                failure = e;
            }

            if (failure is null)
            {
                _core.SetResult(value);
            }
            else
            {
                _core.SetException(failure);
            }
        }

        [Conditional("DEBUG")]
        private void AssertInvariants()
        {
            Debug.Assert(Monitor.IsEntered(_sync), "The hand-off fields are read under the lock.");
            Debug.Assert(!_requested, "A new wait is started only after the previous one was served and its result taken.");
        }
    }
}
