using System.Diagnostics;

namespace OpenVdi.Engine.Devices;

public sealed partial class StreamingServer
{
    /// <summary>
    /// The BUFFERCOUNT buffers shared by all devices. A device that finds none free waits for one, as a pooled awaitable
    /// (<see cref="DeviceState.WaitForBuffer"/>): a buffer given back goes straight to the longest waiter.
    /// </summary>
    internal sealed class BufferPool
    {
        private readonly Lock _lock = new();
        private readonly Stack<VdsCommand> _free = new();
        private readonly Queue<DeviceState> _waiters = new();
        private bool _closed;

        public void Add(VdsCommand command)
        {
            lock (_lock)
            {
                _free.Push(command);
            }
        }

        public bool TryTake(out VdsCommand command)
        {
            lock (_lock)
            {
                AssertInvariants();
                return _free.TryPop(out command!);
            }
        }

        /// <summary>A free buffer, waiting for one if need be; null once the run stopped (a failure, an abort, the end).</summary>
        public ValueTask<VdsCommand?> TakeAsync(DeviceState waiter)
        {
            lock (_lock)
            {
                AssertInvariants();
                if (_free.TryPop(out var command))
                {
                    return new ValueTask<VdsCommand?>(command);
                }

                if (_closed)
                {
                    return new ValueTask<VdsCommand?>((VdsCommand?)null);
                }

                var pending = waiter.WaitForBuffer();
                _waiters.Enqueue(waiter);
                return pending;
            }
        }

        public void Return(VdsCommand command)
        {
            DeviceState? waiter;
            lock (_lock)
            {
                AssertInvariants();
                if (!_waiters.TryDequeue(out waiter))
                {
                    _free.Push(command);
                    return;
                }
            }

            // Outside the lock: the waiting loop goes on here.
            waiter.GiveBuffer(command);
        }

        /// <summary>The run stops: whoever waits for a buffer gets none.</summary>
        public void Close()
        {
            DeviceState[] waiters;
            lock (_lock)
            {
                _closed = true;
                waiters = [.. _waiters];
                _waiters.Clear();
            }

            foreach (var waiter in waiters)
            {
                waiter.GiveBuffer(null);
            }
        }

        [Conditional("DEBUG")]
        private void AssertInvariants() =>
            Debug.Assert(_free.Count == 0 || _waiters.Count == 0, "Nobody waits for a buffer while one is free.");
    }
}
