using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OpenVdi.SqlVdi.Abi;
using OpenVdi.SqlVdi.Objects;

namespace OpenVdi.SqlVdi.Exports;

/// <summary>
/// The members of <c>ClientVirtualDeviceSet</c>, exported under their C++ names. A non-virtual member is a plain
/// function whose first argument is <c>this</c>. Every export catches everything: no exception reaches the client.
/// </summary>
/// <remarks>
/// An object that does not resolve to a live set (null, zeroed, destroyed, copied, stale, or any other pointer, see
/// <see cref="SetObjectTable"/>) answers VD_E_INVALID from every member, and a null or invalid argument answers
/// VD_E_INVALID before anything happens; otherwise each member answers what OpenVdi's
/// <see cref="ClientVirtualDeviceSet"/> does. The object's 8 bytes are read and written only at an address a
/// constructor ran at and no destructor has since: the client's live object.
/// </remarks>
internal static unsafe class ClientVirtualDeviceSetExports
{
    /// <summary>Addresses below this are never an object: null and small offsets from it.</summary>
    private const nint FirstMappableAddress = 4096;

    [UnmanagedCallersOnly(EntryPoint = MangledNames.SetConstructor)]
    public static void Construct(nint self) => ConstructAt(self);

    [UnmanagedCallersOnly(EntryPoint = MangledNames.SetBaseConstructor)]
    public static void ConstructBase(nint self) => ConstructAt(self);

    [UnmanagedCallersOnly(EntryPoint = MangledNames.SetDestructor)]
    public static void Destroy(nint self) => DestroyAt(self);

    [UnmanagedCallersOnly(EntryPoint = MangledNames.SetBaseDestructor)]
    public static void DestroyBase(nint self) => DestroyAt(self);

    /// <returns>As <see cref="ClientVirtualDeviceSet.CreateEx"/> for the default instance (Linux has no named instances).</returns>
    [UnmanagedCallersOnly(EntryPoint = MangledNames.Create)]
    public static int Create(nint self, byte* name, VdConfig* config)
    {
        try
        {
            if (Resolve(self) is not { } set || config is null || !Utf8Name.TryRead(name, out string setName))
            {
                return ExportResult.Of(VdiResult.VD_E_INVALID);
            }

            return ExportResult.Of(set.Set.CreateEx(null, setName, *config));
        }
        catch (Exception e)
        {
            return ExportResult.Of(e);
        }
    }

    /// <returns>As <see cref="ClientVirtualDeviceSet.GetConfiguration"/>; the timeout in ms, negative for none.</returns>
    [UnmanagedCallersOnly(EntryPoint = MangledNames.GetConfiguration)]
    public static int GetConfiguration(nint self, long timeoutMs, VdConfig* config)
    {
        try
        {
            if (Resolve(self) is not { } set || config is null)
            {
                return ExportResult.Of(VdiResult.VD_E_INVALID);
            }

            var result = set.Set.GetConfiguration(LinuxTimeout.ToVdiTimeout(timeoutMs), out var configuration);
            if (result == VdiResult.NOERROR)
            {
                *config = configuration;
            }

            return ExportResult.Of(result);
        }
        catch (Exception e)
        {
            return ExportResult.Of(e);
        }
    }

    /// <returns>
    /// As <see cref="ClientVirtualDeviceSet.OpenDevice"/>; the device object is the library's (a client may
    /// <c>delete</c> it). <c>*device</c> is null on failure.
    /// </returns>
    [UnmanagedCallersOnly(EntryPoint = MangledNames.OpenDevice)]
    public static int OpenDevice(nint self, byte* name, nint* device)
    {
        try
        {
            if (Resolve(self) is not { } set || device is null)
            {
                return ExportResult.Of(VdiResult.VD_E_INVALID);
            }

            *device = 0;
            if (!Utf8Name.TryRead(name, out string deviceName))
            {
                return ExportResult.Of(VdiResult.VD_E_INVALID);
            }

            // The block first: once OpenVdi opened the device, it could not be opened again to retry.
            nint block = (nint)NativeMemory.Alloc(sizeof(ulong));
            var result = set.Set.OpenDevice(deviceName, out var opened);
            if (result != VdiResult.NOERROR)
            {
                NativeMemory.Free((void*)block);
                return ExportResult.Of(result);
            }

            // SAFETY: the block was just allocated, 8 bytes; it holds nothing the library reads back.
            *(ulong*)block = 0;
            var deviceObject = new DeviceObject(block, (ClientVirtualDevice)opened!, set.Set, CommandRecordPool.Rent());
            DeviceObjectTable.Add(deviceObject);
            set.Adopt(deviceObject);
            *device = block;
            return ExportResult.Of(VdiResult.NOERROR);
        }
        catch (Exception e)
        {
            return ExportResult.Of(e);
        }
    }

    /// <returns>As <see cref="ClientVirtualDeviceSet.Close"/>; the set's device objects answer VD_E_PROTOCOL from then on.</returns>
    [UnmanagedCallersOnly(EntryPoint = MangledNames.Close)]
    public static int Close(nint self)
    {
        try
        {
            return ExportResult.Of(Resolve(self) is { } set ? set.Close() : VdiResult.VD_E_INVALID);
        }
        catch (Exception e)
        {
            return ExportResult.Of(e);
        }
    }

    /// <returns>As <see cref="ClientVirtualDeviceSet.SignalAbort"/>.</returns>
    [UnmanagedCallersOnly(EntryPoint = MangledNames.SignalAbort)]
    public static int SignalAbort(nint self)
    {
        try
        {
            return ExportResult.Of(Resolve(self) is { } set ? set.Set.SignalAbort() : VdiResult.VD_E_INVALID);
        }
        catch (Exception e)
        {
            return ExportResult.Of(e);
        }
    }

    /// <returns>As <see cref="ClientVirtualDeviceSet.OpenInSecondaryEx"/> for the default instance.</returns>
    [UnmanagedCallersOnly(EntryPoint = MangledNames.OpenInSecondary)]
    public static int OpenInSecondary(nint self, byte* name)
    {
        try
        {
            if (Resolve(self) is not { } set || !Utf8Name.TryRead(name, out string setName))
            {
                return ExportResult.Of(VdiResult.VD_E_INVALID);
            }

            return ExportResult.Of(set.Set.OpenInSecondaryEx(null, setName));
        }
        catch (Exception e)
        {
            return ExportResult.Of(e);
        }
    }

    /// <returns>As <see cref="ClientVirtualDeviceSet.GetBufferHandle"/>; <c>*handle</c> is 0 on failure.</returns>
    [UnmanagedCallersOnly(EntryPoint = MangledNames.GetBufferHandle)]
    public static int GetBufferHandle(nint self, byte* buffer, uint* handle)
    {
        try
        {
            if (Resolve(self) is not { } set || handle is null)
            {
                return ExportResult.Of(VdiResult.VD_E_INVALID);
            }

            var result = set.Set.GetBufferHandle((nint)buffer, out uint bufferHandle);
            *handle = bufferHandle;
            return ExportResult.Of(result);
        }
        catch (Exception e)
        {
            return ExportResult.Of(e);
        }
    }

    /// <returns>As <see cref="ClientVirtualDeviceSet.MapBufferHandle"/>; <c>*buffer</c> is null on failure.</returns>
    [UnmanagedCallersOnly(EntryPoint = MangledNames.MapBufferHandle)]
    public static int MapBufferHandle(nint self, int handle, nint* buffer)
    {
        try
        {
            if (Resolve(self) is not { } set || buffer is null)
            {
                return ExportResult.Of(VdiResult.VD_E_INVALID);
            }

            var result = set.Set.MapBufferHandle(unchecked((uint)handle), out nint address);
            *buffer = address;
            return ExportResult.Of(result);
        }
        catch (Exception e)
        {
            return ExportResult.Of(e);
        }
    }

    /// <summary>Undocumented in the header; nothing in OpenVdi needs telling, so it does nothing.</summary>
    [UnmanagedCallersOnly(EntryPoint = MangledNames.RegisterDeviceClosed)]
    public static void RegisterDeviceClosed(nint self)
    {
    }

    /// <summary>
    /// The constructor: stores a new entry's slot value in the object. An object constructed again without being
    /// destroyed releases what it held first (nothing else can reach that entry: it answers only at this address).
    /// </summary>
    private static void ConstructAt(nint self)
    {
        try
        {
            if (self < FirstMappableAddress)
            {
                return;
            }

            if (SetObjectTable.AtAddress(self) is { } orphan)
            {
                Release(orphan);
            }

            // SAFETY: self is the object being constructed: the client's memory, 8 bytes, writable (a constructor writes
            // its object). Zero first, so that a failure below leaves an object every member refuses.
            *(ulong*)self = 0;
            *(ulong*)self = SetObjectTable.Add(self).SlotValue;
        }
        catch (Exception)
        {
            // Left zeroed: every member answers VD_E_INVALID.
        }
    }

    /// <summary>
    /// The destructor: closes the set if still open and releases the entry constructed at this address (even when the
    /// client overwrote its bytes: the object constructed here ends). A copy or a foreign object is at an address no
    /// constructor ran at and releases nothing, so the original stays usable and nothing is released twice.
    /// </summary>
    private static void DestroyAt(nint self)
    {
        try
        {
            if (SetObjectTable.AtAddress(self) is { } entry)
            {
                Release(entry);

                // SAFETY: a constructor ran at self and no destructor since: the client's live object, being destroyed.
                *(ulong*)self = 0;
            }
        }
        catch (Exception)
        {
            // Nothing to report to a destructor.
        }
    }

    private static void Release(SetObject entry)
    {
        SetObjectTable.Remove(entry);
        entry.Destroy();
    }

    /// <summary>
    /// The live set the object at <paramref name="self"/> stands for, or null: the address first (an object no
    /// constructor ran at is never read), then the object's bytes, which must decode to the entry constructed there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static SetObject? Resolve(nint self)
    {
        var entry = SetObjectTable.AtAddress(self);

        // SAFETY: a constructor ran at self and no destructor since: the client's live 8-byte object.
        return entry is not null && SetObjectTable.Find(self, *(ulong*)self) == entry ? entry : null;
    }
}
