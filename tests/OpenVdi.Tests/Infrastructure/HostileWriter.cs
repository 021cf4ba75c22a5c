using OpenVdi.Transport;

namespace OpenVdi.Tests.Infrastructure;

/// <summary>
/// Plays a hostile or broken peer: writes raw values into a set's segment files through its own file handle,
/// as another process with write access could.
/// </summary>
public static class HostileWriter
{
    public static string ControlPath(string setName) => SegmentName.ControlPath(SegmentName.DefaultInstance, setName);

    public static string BufferPath(string setName, int segment) => SegmentName.BufferPath(ControlPath(setName), segment);

    public static void WriteInt32(string path, long offset, int value)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        file.Position = offset;
        file.Write(BitConverter.GetBytes(value));
    }

    public static void WriteInt64(string path, long offset, long value)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        file.Position = offset;
        file.Write(BitConverter.GetBytes(value));
    }

    public static int ReadInt32(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[4];
        file.Position = offset;
        file.ReadExactly(bytes);
        return BitConverter.ToInt32(bytes);
    }

    /// <summary>The offset of device <paramref name="device"/>'s record in a control segment.</summary>
    public static long Device(int device) => ControlSegmentDescriptor.DeviceOffset(device, ControlSegmentDescriptor.DeviceRecordLength(ControlSegmentDescriptor.SlotsPerDevice));

    /// <summary>The offset of the slot that sequence <paramref name="sequence"/> of device <paramref name="device"/> uses.</summary>
    public static long Slot(int device, uint sequence) => ControlSegmentDescriptor.SlotOffset(Device(device), (int)(sequence % ControlSegmentDescriptor.SlotsPerDevice));
}
