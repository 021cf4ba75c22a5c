using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Faults;

namespace OpenVdi.Cli.Client;

/// <summary>What <see cref="DeviceSession.RunAsync"/> needs.</summary>
internal sealed record SessionRequest
{
    /// <summary>The engine that runs the statement (the daemon's client, or an engine in this process).</summary>
    public required IStatementEngine Engine { get; init; }

    /// <summary>Receives the statement's messages and result sets as they come.</summary>
    public IStatementSink? Sink { get; init; }

    /// <summary>How many devices (1..64).</summary>
    public required int DeviceCount { get; init; }

    /// <summary>The statement, given the device names (the first is the set's name).</summary>
    public required Func<IReadOnlyList<string>, string> Statement { get; init; }

    /// <summary><see cref="VdFeatures.VDF_WriteMedia"/> for a backup, <see cref="VdFeatures.VDF_ReadMedia"/> for a restore.</summary>
    public required VdFeatures Direction { get; init; }

    /// <summary>
    /// The stripe of device <c>i</c> (0-based): where a backup's bytes go (its Flush must be durable), or where a
    /// restore's come from.
    /// </summary>
    public required Func<int, Stream> Stripe { get; init; }

    /// <summary>The stripe file device <c>i</c> serves, to name it in messages instead of the device.</summary>
    public required IReadOnlyList<string> StripeNames { get; init; }

    /// <summary>The transfer's progress, shown to <see cref="Observer"/>.</summary>
    public required TransferMonitor Monitor { get; init; }

    /// <summary>Told when the transfer starts and ends; null for no one.</summary>
    public ITransferObserver? Observer { get; init; }

    /// <summary>
    /// How long the engine may take to configure the set, and a device may go without a command while the set makes
    /// no progress at all; then the set is aborted and the statement fails. Infinite for no limit.
    /// </summary>
    public TimeSpan Timeout { get; init; } = System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>Faults the engine injects into this statement's devices (sent with the statement); none by default.</summary>
    public FaultPlan Faults { get; init; } = FaultPlan.None;

    /// <summary>Whose VDI library makes the set: OpenVdi's (the default) or Microsoft's.</summary>
    public VdiLibrary Library { get; init; } = VdiLibrary.OpenVdi;

    /// <summary>Where Microsoft's library is, and OpenVdi's transport options; null for the defaults.</summary>
    public VdiLibraryOptions? LibraryOptions { get; init; }
}
