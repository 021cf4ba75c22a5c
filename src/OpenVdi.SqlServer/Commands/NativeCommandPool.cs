using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlServer.Commands;

/// <summary>
/// One device's command objects: reused once completed, so steady state allocates nothing; and every one the device
/// ever made, so that closing the set ends those still outstanding.
/// </summary>
/// <remarks>
/// A completed object is reused only after <see cref="ReuseDistance"/> others, oldest first: a client that completes a
/// command again by mistake soon after gets VD_E_INVALID, rather than completing the next command in its place.
/// </remarks>
internal sealed unsafe class NativeCommandPool
{
    /// <summary>How many completed objects wait before the oldest is handed out again.</summary>
    public const int ReuseDistance = 32;

    private readonly Lock _lock = new();
    private readonly object _device;
    private readonly Queue<NativeCommand> _free = new();
    private readonly List<NativeCommand> _all = [];
    private bool _invalidated;

    public NativeCommandPool(object device) => _device = device;

    /// <summary>
    /// A command object delivering <paramref name="record"/>, or null once <see cref="InvalidateAll"/> ran: a command
    /// fetched while the set closes is never handed out over a buffer that is going away.
    /// </summary>
    public NativeCommand? Deliver(VdcCommandRecord* record, uint prefixZoneSize)
    {
        lock (_lock)
        {
            if (_invalidated)
            {
                return null;
            }

            if (_free.Count <= ReuseDistance || !_free.TryDequeue(out var command))
            {
                command = new NativeCommand(_device);
                _all.Add(command);
            }

            command.Deliver(record, prefixZoneSize);
            return command;
        }
    }

    /// <summary>Takes back a command that is no longer outstanding.</summary>
    public void Return(NativeCommand command)
    {
        lock (_lock)
        {
            if (!_invalidated)
            {
                _free.Enqueue(command);
            }
        }
    }

    /// <summary>The set closed: every command object ends, and none is delivered again.</summary>
    public void InvalidateAll()
    {
        lock (_lock)
        {
            _invalidated = true;
            foreach (var command in _all)
            {
                command.Invalidate();
            }

            _free.Clear();
        }
    }
}
