using System.Runtime.CompilerServices;
using OpenVdi.Engine.Devices;
using OpenVdi.Engine.Faults;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Statements;

namespace OpenVdi.Engine.Execution;

/// <summary>
/// A statement's virtual devices, as SQL Server opens them: the first VIRTUAL_DEVICE clause names the set, the
/// others its devices. Chooses the transfer options, applies the fault plan, and turns a failed run into SQL
/// Server's messages.
/// </summary>
internal sealed class StatementDevices : IDisposable
{
    /// <summary>VDI's default BLOCKSIZE.</summary>
    public const uint DefaultBlockSize = 512;

    /// <summary>VDI's default MAXTRANSFERSIZE.</summary>
    public const uint DefaultMaxTransferSize = 65536;

    private readonly Statement _statement;
    private readonly EngineOptions _engine;
    private readonly StatementRun _run;
    private readonly BufferMemoryBudget _budget;
    private IDisposable? _buffers;

    public StatementDevices(Statement statement, EngineOptions engine, StatementRun run, BufferMemoryBudget budget)
    {
        _statement = statement;
        _engine = engine;
        _run = run;
        _budget = budget;
    }

    public IReadOnlyList<string> Names => _statement.Devices;

    public uint BlockSize => (uint)(_statement.BlockSize ?? (int)DefaultBlockSize);

    public uint MaxTransferSize => (uint)(_statement.MaxTransferSize ?? (int)DefaultMaxTransferSize);

    /// <summary>
    /// The default BUFFERCOUNT (SQL Server's rule is not documented): three buffers per device, so each device keeps
    /// two transfers in flight while a third is filled, plus two.
    /// </summary>
    public uint BufferCount => (uint)(_statement.BufferCount ?? ((3 * Names.Count) + 2));

    /// <summary>The first exception a producer or consumer threw, for the message that explains the failure.</summary>
    public Exception? FirstError { get; private set; }

    /// <summary>
    /// Records the first exception of a producer or consumer; returns false, so that as an exception filter
    /// (<c>catch (Exception e) when (devices.Remember(e))</c>) it lets the exception go on, unchanged.
    /// </summary>
    public bool Remember(Exception exception, int device = -1)
    {
        if (FirstError is null)
        {
            FirstError = exception;
            FirstErrorDevice = device;
        }

        return false;
    }

    /// <summary>The device whose producer or consumer threw <see cref="FirstError"/>; -1 when not known.</summary>
    public int FirstErrorDevice { get; private set; } = -1;

    /// <summary>
    /// Reserves the statement's buffers from the engine's budget, then opens and configures the set (waiting for the
    /// client to create it, until <see cref="EngineOptions.SetOpenTimeout"/> or <paramref name="cancellationToken"/>);
    /// on failure sends 701 or 3201, and 3013, and returns null.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled while waiting for the set.</exception>
    public StreamingServer? Open(VdFeatures direction, CancellationToken cancellationToken)
    {
        _buffers = _budget.TryReserve((long)BufferCount * MaxTransferSize);
        if (_buffers is null)
        {
            _run.Fail(SqlMessages.InsufficientBufferMemory(BufferCount, MaxTransferSize, _budget.Available, _budget.Limit), _statement.OperationName);
            return null;
        }

        var faults = _engine.Faults;
        var setBytes = new StrongBox<long>();
        var options = new StreamingOptions
        {
            BlockSize = BlockSize,
            MaxTransferSize = MaxTransferSize,
            BufferCount = BufferCount,
            OpenTimeout = _engine.SetOpenTimeout,
            FlushInterval = faults.FlushEvery ?? _engine.FlushInterval,
            CompletionTimeout = faults.ClientTimeout ?? Timeout.InfiniteTimeSpan,
            Hooks = faults.AffectsDevices ? (set, index) => new FaultInjector(set, faults, index, setBytes) : null,
        };
        try
        {
            return StreamingServer.Open(_engine.Instance, Names[0], direction, options, [.. Names.Skip(1)], cancellationToken);
        }
        catch (VdiException e)
        {
            var cause = e.Result == VdiResult.VD_E_NOTSUPPORTED
                ? SqlMessages.VirtualDeviceConfigurationUnusable()
                : SqlMessages.CannotOpenBackupDevice(Names[0], OperatingSystemError.Describe(e.Result));
            _run.Fail(cause, _statement.OperationName);
            return null;
        }
    }

    /// <summary>The media set's family count, once a stripe's media header was read (for message 3132).</summary>
    public int? FamilyCount { get; set; }

    /// <summary>Sends the messages of a failed run: the cause SQL Server would name, then 3013.</summary>
    public void ReportFailure(StreamingResult result, bool writing)
    {
        var cause = FirstError switch
        {
            BackupStreamException stream => StreamFailure(stream, FirstErrorDevice),
            RestoreRefusedException refused => refused.Refusal,
            RestoreTargetExistsException => null,
            // A backup reads the database's files; a restore writes them.
            IOException io => _statement is BackupStatement backup
                ? SqlMessages.ReadFailed(backup.DatabaseName, io.Message)
                : SqlMessages.WriteFailed((_statement as RestoreStatement)?.DatabaseName ?? Names[0], io.Message),
            _ => null,
        };
        if (FirstError is RestoreTargetExistsException exists && _statement is RestoreStatement restore)
        {
            cause = SqlMessages.TailOfLogNotBackedUp(restore.DatabaseName ?? exists.Message);
        }

        if (cause is null && result.FailedDevice >= 0 && result.CompletionCode is not (0 or Win32Error.ERROR_OPERATION_ABORTED))
        {
            string device = Names[result.FailedDevice];
            string error = OperatingSystemError.Describe(result.CompletionCode);
            cause = writing ? SqlMessages.WriteFailed(device, error) : SqlMessages.ReadFailed(device, error);
        }

        _run.Fail(cause ?? SqlMessages.BackupOrRestoreAborted(), _statement.OperationName);
    }

    /// <summary>
    /// What a stream problem means to SQL Server: wrong media, missing families, or damage. For damage, where it is
    /// (the device, the offset in its stripe, what was found) is sent first, so that the user knows which file.
    /// </summary>
    /// <param name="e">The problem.</param>
    /// <param name="deviceIndex">The device whose stream it was found in; -1 when not known (then the family's place names it).</param>
    public SqlMessage StreamFailure(BackupStreamException e, int deviceIndex = -1)
    {
        ArgumentNullException.ThrowIfNull(e);
        string device = deviceIndex >= 0 && deviceIndex < Names.Count ? Names[deviceIndex]
            : e.FamilyNumber >= 1 && e.FamilyNumber <= Names.Count ? Names[e.FamilyNumber - 1]
            : Names[0];
        if (e.Error == BackupStreamError.MissingFamily && e.FamilyNumber > 0)
        {
            return SqlMessages.MediaFamiliesMissing(FamilyCount ?? Math.Max(e.FamilyNumber, Names.Count + 1), Names.Count);
        }

        if (e.IsWrongMedia)
        {
            return SqlMessages.MediaFamilyIncorrectlyFormed(device);
        }

        if (e.FamilyNumber >= 1 || deviceIndex >= 0)
        {
            _run.Send(SqlMessages.StripeDamaged(device, e.StreamOffset, e.Detail));
        }

        return SqlMessages.BackupSetDamaged();
    }

    /// <summary>Gives the statement's buffers back to the engine's budget (its set is closed by then).</summary>
    public void Dispose() => _buffers?.Dispose();
}
