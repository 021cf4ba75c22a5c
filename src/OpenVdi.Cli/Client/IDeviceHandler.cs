namespace OpenVdi.Cli.Client;

/// <summary>
/// What a backup application does with one device's commands: handles and completes each (exactly once), and keeps
/// what went wrong on its side, if anything, for the report.
/// </summary>
internal interface IDeviceHandler
{
    /// <summary>Handles and completes <paramref name="command"/>. I/O failures complete it with an error code; they do not throw.</summary>
    void Handle(in DeviceCommand command);

    /// <summary>The client-side failure of this device (a write that failed…), or null.</summary>
    string? Failure { get; }
}
