using System.Runtime.InteropServices;
using OpenVdi.SqlVdi.Abi;
using OpenVdi.SqlVdi.Objects;

namespace OpenVdi.SqlVdi.Exports;

/// <summary>
/// The members of <c>ClientVirtualDevice</c>, exported under their C++ names. The object is the 8-byte block
/// OpenDevice returned; it is looked up by address in <see cref="DeviceObjectTable"/> before anything else, so a
/// pointer the library did not hand out answers VD_E_INVALID and is never read.
/// </summary>
internal static unsafe class ClientVirtualDeviceExports
{
    /// <summary>
    /// A client constructing a device object itself gets an object that is no device: every member answers
    /// VD_E_INVALID.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = MangledNames.DeviceConstructor)]
    public static void Construct(nint self) => ConstructAt(self);

    [UnmanagedCallersOnly(EntryPoint = MangledNames.DeviceBaseConstructor)]
    public static void ConstructBase(nint self) => ConstructAt(self);

    /// <summary><c>delete device</c>: the device object is forgotten (the client frees its block next).</summary>
    [UnmanagedCallersOnly(EntryPoint = MangledNames.DeviceDestructor)]
    public static void Destroy(nint self) => DestroyAt(self);

    [UnmanagedCallersOnly(EntryPoint = MangledNames.DeviceBaseDestructor)]
    public static void DestroyBase(nint self) => DestroyAt(self);

    /// <returns>
    /// As <see cref="ClientVirtualDevice.GetCommand"/>, the timeout in ms (negative for none); <c>*command</c> is null
    /// unless NOERROR. VD_E_INVALID for an object that is no device of the library or a null <paramref name="command"/>;
    /// VD_E_PROTOCOL once its set closed.
    /// </returns>
    [UnmanagedCallersOnly(EntryPoint = MangledNames.GetCommand)]
    public static int GetCommand(nint self, long timeoutMs, VdcCommandRecord** command)
    {
        try
        {
            if (DeviceObjectTable.Find(self) is not { } device || command is null)
            {
                return ExportResult.Of(VdiResult.VD_E_INVALID);
            }

            *command = null;
            return ExportResult.Of(device.GetCommand(LinuxTimeout.ToVdiTimeout(timeoutMs), command));
        }
        catch (Exception e)
        {
            return ExportResult.Of(e);
        }
    }

    /// <returns>As <see cref="DeviceObject.CompleteCommand"/>; VD_E_INVALID for an object that is no device of the library.</returns>
    [UnmanagedCallersOnly(EntryPoint = MangledNames.CompleteCommand)]
    public static int CompleteCommand(nint self, VdcCommandRecord* command, int completionCode, nuint bytesTransferred, long position)
    {
        try
        {
            return ExportResult.Of(DeviceObjectTable.Find(self) is { } device
                ? device.CompleteCommand(command, completionCode, bytesTransferred, position)
                : VdiResult.VD_E_INVALID);
        }
        catch (Exception e)
        {
            return ExportResult.Of(e);
        }
    }

    private static void ConstructAt(nint self)
    {
        try
        {
            // Constructed over a block the library handed out (placement new): that device is the client's no more.
            // The object is not written: no member ever reads it.
            DeviceObjectTable.Forget(self);
        }
        catch (Exception)
        {
            // Nothing to report to a constructor: the object is unknown to the table either way.
        }
    }

    private static void DestroyAt(nint self)
    {
        try
        {
            DeviceObjectTable.Forget(self);
        }
        catch (Exception)
        {
            // Nothing to report to a destructor.
        }
    }
}
