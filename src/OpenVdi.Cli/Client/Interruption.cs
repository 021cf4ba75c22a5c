using System.Runtime.InteropServices;

namespace OpenVdi.Cli.Client;

/// <summary>
/// Turns the first SIGINT (Ctrl+C) or SIGTERM into a cancellation, so a command can cancel its statement, abort its
/// set and clean up, then exit with 130 or 143 as a shell expects; a second signal ends the process the usual way.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private int _signal;

    public Interruption()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>True once a signal arrived.</summary>
    public bool Signalled => Volatile.Read(ref _signal) != 0;

    /// <summary>The exit code for the signal that arrived (128 + its number): 130 for SIGINT, 143 for SIGTERM; null when none did.</summary>
    public int? ExitCode => Volatile.Read(ref _signal) switch
    {
        0 => null,
        int signal => 128 + signal,
    };

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cancel.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        // The signal numbers of Linux: SIGINT 2, SIGTERM 15 (PosixSignal's own values are negative placeholders).
        if (Interlocked.CompareExchange(ref _signal, context.Signal == PosixSignal.SIGINT ? 2 : 15, 0) == 0)
        {
            context.Cancel = true;
            _cancel.Cancel();
        }
    }
}
