namespace OpenVdi.Cli.Client;

/// <summary>
/// A device of a BACKUP: each VDC_Write goes straight from the shared buffer to the stripe file; VDC_Flush and
/// VDC_Complete make the stripe durable (so a completed backup has really landed); VDC_ClearError is acknowledged;
/// anything else is not supported. A failed write or flush completes the command with the matching Win32 code, which
/// makes the engine fail the statement.
/// </summary>
internal sealed class BackupDeviceHandler : IDeviceHandler
{
    private const int Enospc = 28;
    private const int Edquot = 122;

    private readonly StripeFileWriter _stripe;

    public BackupDeviceHandler(StripeFileWriter stripe) => _stripe = stripe;

    public string? Failure { get; private set; }

    public void Handle(in DeviceCommand command)
    {
        switch (command.Code)
        {
            case VdCommandCode.VDC_Write:
                try
                {
                    _stripe.Write(command.Data);
                }
                catch (IOException e)
                {
                    Fail(command, e, "write to");
                    return;
                }

                command.Complete(Win32Error.ERROR_SUCCESS, command.Size);
                return;
            case VdCommandCode.VDC_Flush:
            case VdCommandCode.VDC_Complete:
                try
                {
                    _stripe.Flush();
                }
                catch (IOException e)
                {
                    Fail(command, e, "flush");
                    return;
                }

                command.Complete();
                return;
            case VdCommandCode.VDC_ClearError:
                command.Complete();
                return;
            default:
                command.Complete(Win32Error.ERROR_NOT_SUPPORTED);
                return;
        }
    }

    private void Fail(in DeviceCommand command, IOException e, string what)
    {
        Failure ??= $"{what} {Path.GetFileName(_stripe.FinalPath)} failed: {e.Message}";
        bool full = (e.HResult & 0xFFFF) is Enospc or Edquot || e.HResult == unchecked((int)0x80070070) /* ERROR_DISK_FULL */;
        command.Fail(full ? Win32Error.ERROR_DISK_FULL : Win32Error.ERROR_WRITE_FAULT);
    }
}
