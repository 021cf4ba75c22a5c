using System.Runtime.InteropServices;

namespace OpenVdi.Cli.Client;

/// <summary>
/// Turns the first SIGINT (Ctrl+C) or SIGTERM into a cancellation, so a command can cancel its statement, abort its
/// set and clean up; a second signal ends the process the usual way.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public Interruption()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    public CancellationToken Token => _cancel.Token;

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cancel.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        if (!_cancel.IsCancellationRequested)
        {
            context.Cancel = true;
            _cancel.Cancel();
        }
    }
}
