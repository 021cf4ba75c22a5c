using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Faults;
using OpenVdi.Engine.FrontDoor.Internal;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.FrontDoor;

public sealed partial class EngineDaemon
{
    /// <summary>
    /// One client connection: checks the peer, reads its statement, runs it, and streams the answer. While the
    /// statement runs, a watcher reads the connection: <c>cancel</c>, the end of the connection or a broken frame
    /// cancels the statement; a writer sends the frames the sink queues, in order, so that a slow client never
    /// blocks the engine.
    /// </summary>
    private sealed class Connection
    {
        private const int LogStatementLength = 200;

        private readonly EngineDaemon _daemon;
        private readonly Socket _socket;
        private readonly long _id;
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Connection(EngineDaemon daemon, Socket socket, long id)
        {
            _daemon = daemon;
            _socket = socket;
            _id = id;
        }

        /// <summary>Ends once the connection is closed.</summary>
        public Task Completion => _completion.Task;

        public void Start() => _ = Task.Run(ServeAsync);

        /// <summary>Closes the connection at once (a daemon that stops and cannot wait any longer).</summary>
        public void Abort() => _socket.Dispose();

        private async Task ServeAsync()
        {
            try
            {
                using var stream = new NetworkStream(_socket, ownsSocket: false);
                await ServeCoreAsync(stream).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                Log(LogLevel.Warning, $"connection lost: {e.Message}");
            }
            catch (Exception e)
            {
                // Not an expected failure: the whole exception, for the bug report.
                Log(LogLevel.Error, $"connection failed: {e}");
            }
            finally
            {
                _socket.Dispose();
                _daemon.Forget(this);
                _completion.TrySetResult();
            }
        }

        private async Task ServeCoreAsync(NetworkStream stream)
        {
            PeerCredentials peer;
            try
            {
                peer = PeerCredentials.Of(_socket);
            }
            catch (SocketException e)
            {
                Log(LogLevel.Warning, $"refused: the peer's credentials cannot be read ({e.Message})");
                await SendAsync(stream, FrameEncoder.Refused(RefusalReasons.PeerCredentials, "Permission denied: the engine cannot read this connection's credentials.")).ConfigureAwait(false);
                return;
            }

            var decision = _daemon.Policy.Decide(peer);
            if (!decision.Allowed)
            {
                Log(LogLevel.Warning, $"refused {peer}: {decision.Reason}");
                await SendAsync(stream, FrameEncoder.Refused(RefusalReasons.PeerCredentials, decision.Reason)).ConfigureAwait(false);
                return;
            }

            if (_daemon._stopping.IsCancellationRequested)
            {
                await SendAsync(stream, FrameEncoder.Refused(RefusalReasons.Stopping, "The engine is shutting down.")).ConfigureAwait(false);
                return;
            }

            // A connection that has not sent its statement yet holds no statement slot: idle connections cannot lock
            // out the ones that run statements. They have a limit of their own, and the request timeout.
            if (_daemon.IsAtStatementLimit || !_daemon.TryEnterWaiting())
            {
                string busy = _daemon.IsAtStatementLimit
                    ? string.Create(CultureInfo.InvariantCulture, $"The engine is running its limit of {_daemon._options.MaxConcurrentStatements} statements; try again later.")
                    : string.Create(CultureInfo.InvariantCulture, $"The engine has its limit of {_daemon._options.MaxWaitingConnections} connections waiting to send a statement; try again later.");
                Log(LogLevel.Warning, $"refused {peer}: busy");
                await SendAsync(stream, FrameEncoder.Refused(RefusalReasons.Busy, busy)).ConfigureAwait(false);
                return;
            }

            DaemonRequest? request;
            FrameReader reader;
            try
            {
                await SendAsync(stream, FrameEncoder.Hello(Environment.ProcessId)).ConfigureAwait(false);
                reader = new FrameReader(stream, EngineProtocol.MaxRequestFrameBytes);
                request = await ReadRequestAsync(stream, reader).ConfigureAwait(false);
            }
            finally
            {
                _daemon.ExitWaiting();
            }

            switch (request)
            {
                case { Type: FrameTypes.Execute, Statement: { } statement }:
                    if (!_daemon.TryEnterStatement())
                    {
                        string busy = string.Create(CultureInfo.InvariantCulture, $"The engine is running its limit of {_daemon._options.MaxConcurrentStatements} statements; try again later.");
                        Log(LogLevel.Warning, $"refused {peer}'s statement: busy");
                        await SendAsync(stream, FrameEncoder.Error(busy)).ConfigureAwait(false);
                        return;
                    }

                    try
                    {
                        await RunAsync(stream, reader, statement, request.Faults, peer).ConfigureAwait(false);
                    }
                    finally
                    {
                        _daemon.ExitStatement();
                    }

                    break;
                case { Type: FrameTypes.Status }:
                    Log(LogLevel.Information, $"{peer}: status");
                    await SendAsync(stream, _daemon.StatusFrame()).ConfigureAwait(false);
                    break;
                case { Type: FrameTypes.ListDatabases }:
                    Log(LogLevel.Information, $"{peer}: list databases");
                    await SendAsync(stream, _daemon.DatabasesFrame()).ConfigureAwait(false);
                    break;
                case { Type: FrameTypes.DropDatabase, Name: { } name }:
                    await DropAsync(stream, name, peer).ConfigureAwait(false);
                    break;
            }
        }

        /// <summary>
        /// The client's request: an <c>execute</c> frame's statement and faults (<see cref="FaultPlan.None"/> without a
        /// <c>faults</c> member), <c>status</c>, <c>listDatabases</c>, or <c>dropDatabase</c> with its name; null (after
        /// telling the client why) when there is none, it is of another type, or its faults do not parse.
        /// </summary>
        private async Task<DaemonRequest?> ReadRequestAsync(NetworkStream stream, FrameReader reader)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_daemon._stopping.Token);
            timeout.CancelAfter(_daemon._options.RequestTimeout);
            string? problem;
            try
            {
                using var frame = await reader.ReadAsync(timeout.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    Log(LogLevel.Information, "the client closed the connection without a statement");
                    return null;
                }

                switch (frame.Type)
                {
                    case FrameTypes.Execute:
                        string statement = frame.String("statement");
                        string? faults = frame.OptionalString("faults");
                        try
                        {
                            return new DaemonRequest(FrameTypes.Execute, statement, faults is null ? FaultPlan.None : FaultPlan.Parse(faults), null);
                        }
                        catch (FormatException e)
                        {
                            problem = $"The \"faults\" member is not a fault plan: {e.Message}";
                        }

                        break;
                    case FrameTypes.Status or FrameTypes.ListDatabases:
                        return new DaemonRequest(frame.Type, null, FaultPlan.None, null);
                    case FrameTypes.DropDatabase:
                        return new DaemonRequest(frame.Type, null, FaultPlan.None, frame.String("name"));
                    default:
                        problem = $"Expected an \"execute\", \"status\", \"listDatabases\" or \"dropDatabase\" frame, not \"{frame.Type}\".";
                        break;
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                problem = _daemon._stopping.IsCancellationRequested
                    ? "The engine is shutting down."
                    : string.Create(CultureInfo.InvariantCulture, $"No statement arrived within {_daemon._options.RequestTimeout.TotalSeconds:0.#} seconds.");
            }
            catch (FrameException e)
            {
                problem = e.Message;
            }

            Log(LogLevel.Warning, $"protocol error: {problem}");
            await SendAsync(stream, FrameEncoder.Error(problem)).ConfigureAwait(false);
            return null;
        }

        private async Task RunAsync(NetworkStream stream, FrameReader reader, string statement, FaultPlan faults, PeerCredentials peer)
        {
            using var statementCancel = CancellationTokenSource.CreateLinkedTokenSource(_daemon._stopping.Token);
            string? cancelReason = null;
            void Cancel(string why)
            {
                Interlocked.CompareExchange(ref cancelReason, why, null);
                statementCancel.Cancel();
            }

            var outgoing = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
            var sink = new ForwardingSink(outgoing.Writer);
            var writer = WriteAllAsync(stream, outgoing.Reader, Cancel);
            using var stopWatching = new CancellationTokenSource();
            var watcher = WatchAsync(reader, outgoing.Writer, Cancel, stopWatching.Token);

            Log(LogLevel.Information, faults.IsEmpty ? $"{peer}: {Excerpt(statement)}" : $"{peer}: {Excerpt(statement)} (faults: {faults})");
            Interlocked.Increment(ref _daemon._executingStatements);
            var elapsed = Stopwatch.StartNew();
            string ending;
            var level = LogLevel.Information;
            try
            {
                var outcome = await (faults.IsEmpty
                    ? _daemon._engine.ExecuteAsync(statement, sink, statementCancel.Token)
                    : _daemon._engine.ExecuteAsync(statement, faults, sink, statementCancel.Token)).ConfigureAwait(false);
                sink.ForwardMissing(outcome);
                outgoing.Writer.TryWrite(FrameEncoder.Done(outcome.Succeeded, sink.MessageCount, sink.ResultSetCount));
                ending = outcome.Succeeded
                    ? "succeeded"
                    : outcome.FirstError is { } error ? $"failed: Msg {error.Number.ToString(CultureInfo.InvariantCulture)}: {error.Text}" : "failed";
                level = outcome.Succeeded ? LogLevel.Information : LogLevel.Warning;
            }
            catch (OperationCanceledException) when (statementCancel.IsCancellationRequested)
            {
                outgoing.Writer.TryWrite(FrameEncoder.Done(false, sink.MessageCount, sink.ResultSetCount, cancelled: true));
                ending = $"cancelled: {cancelReason ?? "the engine is shutting down"}";
            }
            catch (Exception e)
            {
                outgoing.Writer.TryWrite(FrameEncoder.Done(false, sink.MessageCount, sink.ResultSetCount, fault: $"{e.GetType().Name}: {e.Message}"));
                // Not a statement that failed but the engine itself: the whole exception, for the bug report.
                ending = $"engine fault: {e}";
                level = LogLevel.Error;
            }

            Interlocked.Decrement(ref _daemon._executingStatements);
            outgoing.Writer.TryComplete();
            try
            {
                await writer.WaitAsync(_daemon._options.ShutdownTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                ending += "; the client did not read the answer";
            }

            // The answer is out: stop watching, and close so the client sees the end.
            await stopWatching.CancelAsync().ConfigureAwait(false);
            ShutdownQuietly();
            await watcher.ConfigureAwait(false);
            Log(level, string.Create(CultureInfo.InvariantCulture, $"{ending} ({elapsed.Elapsed.TotalSeconds:0.000} s)"));
        }

        /// <summary>Drops a database (the <c>dropDatabase</c> frame), answered as a statement: its messages, then <c>done</c>.</summary>
        private async Task DropAsync(NetworkStream stream, string name, PeerCredentials peer)
        {
            Log(LogLevel.Information, $"{peer}: drop database '{name}'");
            if (_daemon._engine is not IDatabaseAdministration administration)
            {
                await SendAsync(stream, FrameEncoder.Error("This engine has no databases to drop.")).ConfigureAwait(false);
                return;
            }

            StatementOutcome outcome;
            try
            {
                outcome = administration.DropDatabase(name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                outcome = new StatementOutcome { Succeeded = false, Messages = [SqlMessages.DropFailed(name, e.Message)] };
            }

            foreach (var message in outcome.Messages)
            {
                await SendAsync(stream, FrameEncoder.Message(message)).ConfigureAwait(false);
            }

            await SendAsync(stream, FrameEncoder.Done(outcome.Succeeded, outcome.Messages.Count, 0)).ConfigureAwait(false);
            Log(
                outcome.Succeeded ? LogLevel.Information : LogLevel.Warning,
                outcome.FirstError is { } error ? $"drop failed: Msg {error.Number.ToString(CultureInfo.InvariantCulture)}: {error.Text}" : $"dropped database '{name}'");
        }

        /// <summary>Sends the queued frames in order; a failed send means the client is gone, which cancels the statement.</summary>
        private static async Task WriteAllAsync(NetworkStream stream, ChannelReader<byte[]> frames, Action<string> cancel)
        {
            try
            {
                await foreach (byte[] frame in frames.ReadAllAsync().ConfigureAwait(false))
                {
                    await stream.WriteAsync(frame).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                cancel("the connection was lost while sending");
            }
        }

        /// <summary>Reads the connection while the statement runs: <c>cancel</c>, the end of the connection or a bad frame cancels it.</summary>
        private static async Task WatchAsync(FrameReader reader, ChannelWriter<byte[]> outgoing, Action<string> cancel, CancellationToken stop)
        {
            try
            {
                while (true)
                {
                    using var frame = await reader.ReadAsync(stop).ConfigureAwait(false);
                    if (frame is null)
                    {
                        cancel("the client disconnected");
                        return;
                    }

                    if (frame.Type != FrameTypes.Cancel)
                    {
                        string problem = $"Only a \"cancel\" frame may follow \"execute\", not \"{frame.Type}\".";
                        outgoing.TryWrite(FrameEncoder.Error(problem));
                        cancel($"protocol error: {problem}");
                        return;
                    }

                    // Keep reading: the end of the connection still matters after a cancel.
                    cancel("the client cancelled it");
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The statement has ended.
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or FrameException or OperationCanceledException)
            {
                if (!stop.IsCancellationRequested)
                {
                    cancel($"the connection failed: {e.Message}");
                }
            }
        }

        private async Task SendAsync(NetworkStream stream, byte[] frame)
        {
            using var timeout = new CancellationTokenSource(_daemon._options.RequestTimeout);
            await stream.WriteAsync(frame, timeout.Token).ConfigureAwait(false);
        }

        private void ShutdownQuietly()
        {
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already gone.
            }
        }

        private void Log(LogLevel level, string text) => _daemon.Log(level, string.Create(CultureInfo.InvariantCulture, $"#{_id} {text}"));

        private static string Excerpt(string statement)
        {
            string flat = string.Join(' ', statement.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
            return flat.Length <= LogStatementLength ? flat : string.Concat(flat.AsSpan(0, LogStatementLength), "…");
        }
    }
}
