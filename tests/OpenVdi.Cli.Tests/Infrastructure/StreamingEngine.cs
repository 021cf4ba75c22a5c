using System.Collections.Concurrent;
using OpenVdi.Engine.Devices;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Statements;

namespace OpenVdi.Cli.Tests.Infrastructure;

/// <summary>
/// A stand-in for the statement engine that really plays SQL Server's part over VDI: it parses the statement, opens
/// the client's set by name with the production <see cref="StreamingServer"/>, configures it from the statement's
/// BLOCKSIZE / MAXTRANSFERSIZE / BUFFERCOUNT, and for a BACKUP writes a known stream to every device (then Flush and
/// Complete), for a RESTORE reads every device to its end and keeps what it read. It can be told to fail at chosen
/// points, and honours cancellation by aborting the set.
/// </summary>
public sealed class StreamingEngine : IStatementEngine
{
    private readonly TaskCompletionSource _configured = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public enum Fault
    {
        None,

        /// <summary>Fails the statement without ever opening the set (a bad database name, say).</summary>
        BeforeConfiguring,

        /// <summary>Moves every byte, then fails the statement (as a failed final check would).</summary>
        AfterStreaming,

        /// <summary>Configures the set, then sends nothing until cancelled.</summary>
        HoldUntilCancelled,
    }

    /// <summary>The stream a BACKUP writes to device <c>i</c>.</summary>
    public Func<int, byte[]> Content { get; init; } = device => Pattern(device, 300_000 + (device * 70_001));

    public Fault Failure { get; init; }

    /// <summary>What a RESTORE read from each device, by device index.</summary>
    public ConcurrentDictionary<int, byte[]> Received { get; } = new();

    public ConcurrentQueue<string> Statements { get; } = new();

    /// <summary>Ends once the engine configured a set.</summary>
    public Task Configured => _configured.Task;

    public static byte[] Pattern(int device, int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)((i * 31) + (device * 7) + (i >> 12));
        }

        return bytes;
    }

    public Task<StatementOutcome> ExecuteAsync(string statement, IStatementSink? sink = null, CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(() => Execute(statement, sink, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private StatementOutcome Execute(string text, IStatementSink? sink, CancellationToken cancellationToken)
    {
        Statements.Enqueue(text);
        var parsed = StatementParser.Parse(text);
        if (!parsed.Succeeded)
        {
            return Fail(sink, [.. parsed.Messages]);
        }

        var statement = parsed.Statement;
        if (Failure == Fault.BeforeConfiguring)
        {
            return Fail(sink, SqlMessages.CannotOpenBackupDevice(statement.Devices[0], "0x80770009(VD_E_NOTSUPPORTED)"), SqlMessages.TerminatingAbnormally(statement.OperationName));
        }

        bool backup = statement is BackupStatement;
        var options = new StreamingOptions
        {
            BlockSize = (uint)(statement.BlockSize ?? 512),
            MaxTransferSize = (uint)(statement.MaxTransferSize ?? 65536),
            BufferCount = (uint)(statement.BufferCount ?? 0),
            OpenTimeout = TimeSpan.FromSeconds(10),
        };
        using var server = StreamingServer.Open(null, statement.Devices[0], backup ? VdFeatures.VDF_WriteMedia : VdFeatures.VDF_ReadMedia, options, [.. statement.Devices.Skip(1)], cancellationToken);
        using var abort = cancellationToken.Register(() => server.Set.SignalAbort());
        _configured.TrySetResult();
        if (Failure == Fault.HoldUntilCancelled)
        {
            cancellationToken.WaitHandle.WaitOne();
            throw new OperationCanceledException(cancellationToken);
        }

        StreamingResult result;
        if (backup)
        {
            var streams = Enumerable.Range(0, statement.Devices.Count).Select(Content).ToArray();
            var sent = new int[streams.Length];
            result = server.RunBackup(
                (device, buffer) =>
                {
                    int count = Math.Min(buffer.Length, streams[device].Length - sent[device]);
                    streams[device].AsSpan(sent[device], count).CopyTo(buffer);
                    sent[device] += count;
                    return count;
                },
                cancellationToken);
        }
        else
        {
            var streams = new ConcurrentDictionary<int, MemoryStream>();
            result = server.RunRestore(
                (device, data) =>
                {
                    streams.GetOrAdd(device, _ => new MemoryStream()).Write(data);
                    return true;
                },
                cancellationToken);
            foreach (var (device, stream) in streams)
            {
                Received[device] = stream.ToArray();
            }
        }

        string? failure = result.Failure;
        long bytes = result.TotalBytes;
        cancellationToken.ThrowIfCancellationRequested();
        if (failure is not null)
        {
            var error = backup ? SqlMessages.WriteFailed(statement.Devices[0], failure) : SqlMessages.ReadFailed(statement.Devices[0], failure);
            return Fail(sink, error, SqlMessages.TerminatingAbnormally(statement.OperationName));
        }

        if (Failure == Fault.AfterStreaming)
        {
            return Fail(sink, SqlMessages.BackupSetDamaged(), SqlMessages.TerminatingAbnormally(statement.OperationName));
        }

        var success = SqlMessages.SuccessfullyProcessed(statement.OperationName, bytes / SqlMessages.PageSize, TimeSpan.FromSeconds(1));
        sink?.OnMessage(success);
        return new StatementOutcome { Succeeded = true, Messages = [success] };
    }

    private static StatementOutcome Fail(IStatementSink? sink, params SqlMessage[] messages)
    {
        foreach (var message in messages)
        {
            sink?.OnMessage(message);
        }

        return new StatementOutcome { Succeeded = false, Messages = messages };
    }
}
