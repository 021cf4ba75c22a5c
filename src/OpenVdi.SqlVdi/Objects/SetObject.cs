namespace OpenVdi.SqlVdi.Objects;

/// <summary>
/// One <c>ClientVirtualDeviceSet</c> object a client constructed: where it lives, the slot value stored in it, the
/// OpenVdi set behind it, and the device objects its OpenDevice calls handed out (which its Close retires).
/// </summary>
internal sealed class SetObject
{
    private readonly Lock _lock = new();
    private readonly List<DeviceObject> _devices = [];
    private int _removed;

    public SetObject(nint address, int index, uint generation, ulong slotValue)
    {
        Address = address;
        Index = index;
        Generation = generation;
        SlotValue = slotValue;
    }

    /// <summary>The address the constructor ran at: the object, and no copy of it.</summary>
    public nint Address { get; }

    /// <summary>The entry's place in <see cref="SetObjectTable"/>.</summary>
    public int Index { get; }

    /// <summary>The entry's generation: a stale slot value names an older one.</summary>
    public uint Generation { get; }

    /// <summary>What the constructor stored in the client's object.</summary>
    public ulong SlotValue { get; }

    /// <summary>OpenVdi's client half, which does the work.</summary>
    public ClientVirtualDeviceSet Set { get; } = new();

    /// <summary>Whether the entry left the table (the object was destroyed).</summary>
    public bool IsRemoved => Volatile.Read(ref _removed) != 0;

    /// <summary>Marks the entry removed; true for the first caller only.</summary>
    public bool MarkRemoved() => Interlocked.Exchange(ref _removed, 1) == 0;

    /// <summary>Records a device object OpenDevice handed out, to retire it when the set closes.</summary>
    public void Adopt(DeviceObject device)
    {
        lock (_lock)
        {
            _devices.Add(device);
        }
    }

    /// <summary>Closes the set (<see cref="ClientVirtualDeviceSet.Close"/>) and retires its device objects.</summary>
    /// <returns>As <see cref="ClientVirtualDeviceSet.Close"/>.</returns>
    public VdiResult Close()
    {
        var result = Set.Close();
        RetireDevices();
        return result;
    }

    /// <summary>The object is destroyed: closes a set still open (aborting it if devices are open) and retires its devices.</summary>
    public void Destroy()
    {
        Set.Dispose();
        RetireDevices();
    }

    private void RetireDevices()
    {
        DeviceObject[] devices;
        lock (_lock)
        {
            devices = [.. _devices];
            _devices.Clear();
        }

        foreach (var device in devices)
        {
            device.Retire();
        }
    }
}
