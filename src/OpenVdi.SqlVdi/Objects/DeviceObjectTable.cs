using System.Collections.Concurrent;

namespace OpenVdi.SqlVdi.Objects;

/// <summary>
/// The device objects OpenDevice handed out, by address. A device call looks its <c>this</c> up here before anything
/// else, so a pointer the library did not hand out (or one the client deleted) is never dereferenced.
/// </summary>
/// <remarks>
/// A retired device (its set closed) stays here until the client deletes it, and answers VD_E_PROTOCOL; its 8-byte
/// block is never freed by the library, because the client may still <c>delete</c> it. A block the client deleted
/// leaves the table, and malloc may hand its address out again.
/// </remarks>
internal static class DeviceObjectTable
{
    private static readonly ConcurrentDictionary<nint, DeviceObject> s_byAddress = new();

    /// <summary>The device object at <paramref name="address"/>, or null when the library handed out none there.</summary>
    public static DeviceObject? Find(nint address) => s_byAddress.TryGetValue(address, out var device) ? device : null;

    /// <summary>Records a device object handed out at its address.</summary>
    public static void Add(DeviceObject device) => s_byAddress[device.Address] = device;

    /// <summary>The client destroyed the object at <paramref name="address"/> (and will free it): forgets and retires it.</summary>
    public static void Forget(nint address)
    {
        if (s_byAddress.TryRemove(address, out var device))
        {
            device.Retire();
        }
    }
}
