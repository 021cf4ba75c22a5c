namespace OpenVdi;

/// <summary>Options of a virtual device set beyond the documented configuration.</summary>
public sealed class VirtualDeviceSetOptions
{
    /// <summary>
    /// Make the set's shared-memory segments readable and writable by the owner's group (mode 0660) rather than by
    /// the owner only (0600), for a server that runs as another user of the same group (as SQL Server on Linux
    /// runs as <c>mssql</c>).
    /// </summary>
    public bool AllowGroupAccess { get; init; }

    /// <summary>
    /// How long a client OpenDevice waits for the server to name a device it does not know yet (the server names the
    /// devices after EndConfiguration). Default: 10 seconds.
    /// </summary>
    public TimeSpan DeviceNamingTimeout { get; init; } = TimeSpan.FromSeconds(10);

    internal int FileMode => AllowGroupAccess ? 0x1B0 /* 0660 */ : 0x180 /* 0600 */;

    internal static VirtualDeviceSetOptions Default { get; } = new();
}
