using OpenVdi.Cli.Client;

namespace OpenVdi.Tds.Tests.Infrastructure;

/// <summary>
/// A backup device that counts what it is written, and holds its first VDC_Flush until <see cref="Gate"/> opens: the
/// engine cannot end the statement before then, so a message that arrives while the flush waits arrived live.
/// </summary>
internal sealed class GatedDeviceHandler : IDeviceHandler
{
    private bool _held;

    public GatedDeviceHandler(Task gate) => Gate = gate;

    public Task Gate { get; }

    public string? Failure { get; private set; }

    public long Bytes { get; private set; }

    public void Handle(in DeviceCommand command)
    {
        switch (command.Code)
        {
            case VdCommandCode.VDC_Write:
                Bytes += command.Size;
                command.Complete(Win32Error.ERROR_SUCCESS, command.Size);
                return;
            case VdCommandCode.VDC_Flush:
                if (!_held)
                {
                    _held = true;
                    if (!Gate.Wait(TimeSpan.FromSeconds(60)))
                    {
                        Failure = "the message the flush waited for did not arrive while the backup ran";
                    }
                }

                command.Complete(Win32Error.ERROR_SUCCESS, 0);
                return;
            case VdCommandCode.VDC_Complete or VdCommandCode.VDC_ClearError:
                command.Complete(Win32Error.ERROR_SUCCESS, 0);
                return;
            default:
                command.Complete(Win32Error.ERROR_NOT_SUPPORTED, 0);
                return;
        }
    }
}
