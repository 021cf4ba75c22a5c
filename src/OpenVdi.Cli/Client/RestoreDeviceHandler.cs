namespace OpenVdi.Cli.Client;

/// <summary>
/// A device of a RESTORE (or VERIFYONLY, HEADERONLY): each VDC_Read is filled straight into the shared buffer from
/// the stripe file, in whatever sizes the engine asks; the last read, short or empty, completes with
/// ERROR_HANDLE_EOF and the bytes actually read. VDC_ClearError is acknowledged; anything else is not supported.
/// </summary>
internal sealed class RestoreDeviceHandler : IDeviceHandler
{
    private const uint ErrorReadFault = 30;

    private readonly StripeFileReader _stripe;

    public RestoreDeviceHandler(StripeFileReader stripe) => _stripe = stripe;

    public string? Failure { get; private set; }

    public void Handle(in DeviceCommand command)
    {
        switch (command.Code)
        {
            case VdCommandCode.VDC_Read:
                int read;
                try
                {
                    read = _stripe.Read(command.Data);
                }
                catch (IOException e)
                {
                    Failure ??= $"read from {Path.GetFileName(_stripe.Path)} failed: {e.Message}";
                    command.Fail(ErrorReadFault);
                    return;
                }

                command.Complete(read == command.Size ? Win32Error.ERROR_SUCCESS : Win32Error.ERROR_HANDLE_EOF, (uint)read);
                return;
            case VdCommandCode.VDC_ClearError:
                command.Complete();
                return;
            default:
                command.Complete(Win32Error.ERROR_NOT_SUPPORTED);
                return;
        }
    }
}
