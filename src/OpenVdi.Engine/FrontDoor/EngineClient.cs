using System.Globalization;
using System.Net.Sockets;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Faults;
using OpenVdi.Engine.FrontDoor.Internal;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.FrontDoor;

/// <summary>
/// Runs statements on an engine daemon (<see cref="EngineDaemon"/>) over its Unix domain socket: one connection per
/// statement, the messages and result sets handed to the sink as they arrive, the outcome returned at the end. A
/// caller does not see the difference from the in-process engine, except for
/// <see cref="EngineClientException"/> when the daemon cannot be reached or the connection breaks.
/// </summary>
/// <remarks>Thread-safe: several statements may run at once, each on its own connection.</remarks>
public sealed partial class EngineClient : IStatementEngine
{
    /// <summary>A client of the daemon listening on <paramref name="socketPath"/>.</summary>
    /// <param name="socketPath">The daemon's socket; null for <see cref="EngineSocketPath.Default"/>.</param>
    /// <exception cref="ArgumentException">The path is too long for a Unix socket.</exception>
    public EngineClient(string? socketPath = null) => SocketPath = EngineSocketPath.Resolve(socketPath);

    /// <summary>The daemon's socket path.</summary>
    public string SocketPath { get; }

    /// <summary>How long to wait for the daemon's greeting after connecting. Default 10 seconds.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After a cancellation, how long to wait for the daemon to confirm that the statement ended (its set aborted)
    /// before closing the connection regardless. Default 30 seconds.
    /// </summary>
    public TimeSpan CancelTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Sends one statement to the daemon and streams its answer: each message and result set reaches
    /// <paramref name="sink"/> as the daemon sends it (on this call's thread of continuation, one at a time, in
    /// order), and the outcome holds them all.
    /// </summary>
    /// <param name="statement">The statement text.</param>
    /// <param name="sink">Receives messages and result sets as they arrive; null to collect them only.</param>
    /// <param name="cancellationToken">
    /// Cancels the statement: the daemon is told, cancels it (the engine aborts its virtual device set), and confirms;
    /// then this throws <see cref="OperationCanceledException"/>.
    /// </param>
    /// <returns>The statement's outcome. A statement that failed is an outcome with its error messages.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="statement"/> is null.</exception>
    /// <exception cref="EngineClientException">No daemon listens; it refused this user or is busy or stopping; the connection broke; the daemon broke the protocol; the engine failed internally.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<StatementOutcome> ExecuteAsync(string statement, IStatementSink? sink = null, CancellationToken cancellationToken = default) =>
        ExecuteAsync(statement, FaultPlan.None, sink, cancellationToken);

    /// <summary>
    /// Sends one statement with faults for the daemon's engine to inject into its devices (the <c>execute</c> frame's
    /// <c>faults</c> member), on top of the daemon's own; otherwise as
    /// <see cref="ExecuteAsync(string, IStatementSink?, CancellationToken)"/>.
    /// </summary>
    /// <param name="statement">The statement text.</param>
    /// <param name="faults">The faults; <see cref="FaultPlan.None"/> sends none.</param>
    /// <param name="sink">Receives messages and result sets as they arrive; null to collect them only.</param>
    /// <param name="cancellationToken">Cancels the statement, as for the overload without faults.</param>
    /// <returns>The statement's outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="statement"/> or <paramref name="faults"/> is null.</exception>
    /// <exception cref="EngineClientException">As for the overload without faults; the daemon's engine cannot inject faults (<see cref="EngineClientError.EngineFault"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<StatementOutcome> ExecuteAsync(string statement, FaultPlan faults, IStatementSink? sink = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(faults);
        cancellationToken.ThrowIfCancellationRequested();
        using var socket = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var reader = new FrameReader(stream, EngineProtocol.MaxResponseFrameBytes);
        await ReadHelloAsync(reader, cancellationToken).ConfigureAwait(false);
        await SendAsync(stream, FrameEncoder.Execute(statement, faults.ToString()), cancellationToken, "the statement").ConfigureAwait(false);

        // From here on a cancellation is the daemon's to act on: tell it, and keep reading until it confirms.
        using var giveUp = new CancellationTokenSource();
        int cancelSent = 0;
        using var registration = cancellationToken.Register(() =>
        {
            if (Interlocked.Exchange(ref cancelSent, 1) == 0)
            {
                try
                {
                    socket.Send(FrameEncoder.Cancel());
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // The connection is gone: the daemon cancels the statement for that reason instead.
                }

                giveUp.CancelAfter(CancelTimeout);
            }
        });

        return await ReadAnswerAsync(reader, sink, giveUp.Token, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw e.SocketErrorCode == SocketError.AccessDenied
                ? new EngineClientException(EngineClientError.Refused, $"Permission denied on '{SocketPath}': the socket's permissions do not admit this user.", e)
                : new EngineClientException(EngineClientError.NotRunning, $"No OpenVdi engine is listening on '{SocketPath}' ({e.Message}). Start one with 'vdi engine serve'.", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task ReadHelloAsync(FrameReader reader, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HandshakeTimeout);
        Frame? frame;
        try
        {
            frame = await reader.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EngineClientException(EngineClientError.ProtocolViolation,
                string.Create(CultureInfo.InvariantCulture, $"The engine on '{SocketPath}' did not greet within {HandshakeTimeout.TotalSeconds:0.#} seconds."));
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            throw Lost("before the engine greeted", e);
        }
        catch (FrameException e)
        {
            throw Violation(e.Message, e);
        }

        using (frame)
        {
            switch (frame?.Type)
            {
                case null:
                    throw new EngineClientException(EngineClientError.ConnectionLost, $"The engine on '{SocketPath}' closed the connection without a greeting.");
                case FrameTypes.Hello:
                    int version = Checked(() => frame.Int("protocol"));
                    if (version != EngineProtocol.Version)
                    {
                        throw Violation(string.Create(CultureInfo.InvariantCulture, $"The engine speaks protocol {version}; this client speaks {EngineProtocol.Version}."));
                    }

                    return;
                case FrameTypes.Refused:
                    string reason = Checked(() => frame.String("reason"));
                    string message = Checked(() => frame.String("message"));
                    throw new EngineClientException(
                        reason switch
                        {
                            RefusalReasons.Busy => EngineClientError.Busy,
                            RefusalReasons.Stopping => EngineClientError.Stopping,
                            _ => EngineClientError.Refused,
                        },
                        message);
                case FrameTypes.Error:
                    throw Violation(Checked(() => frame.String("message")));
                default:
                    throw Violation($"Expected \"hello\", not \"{frame.Type}\".");
            }
        }
    }

    private async Task<StatementOutcome> ReadAnswerAsync(FrameReader reader, IStatementSink? sink, CancellationToken giveUp, CancellationToken cancellationToken)
    {
        var messages = new List<SqlMessage>();
        var resultSets = new List<ResultSet>();
        ResultSetBuilder? pending = null;
        while (true)
        {
            Frame? frame;
            try
            {
                frame = await reader.ReadAsync(giveUp).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
            {
                throw new OperationCanceledException(
                    string.Create(CultureInfo.InvariantCulture, $"The engine did not confirm the cancellation within {CancelTimeout.TotalSeconds:0.#} seconds; the connection was closed."),
                    null,
                    cancellationToken);
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw Lost("while the statement ran", e);
            }
            catch (FrameException e)
            {
                throw Violation(e.Message, e);
            }

            if (frame is null)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new EngineClientException(EngineClientError.ConnectionLost, $"The engine on '{SocketPath}' closed the connection before the statement ended.");
            }

            using (frame)
            {
                switch (frame.Type)
                {
                    case FrameTypes.Message:
                        var message = Checked(() => ReadMessage(frame));
                        messages.Add(message);
                        sink?.OnMessage(message);
                        break;
                    case FrameTypes.ResultSet:
                        if (pending is not null)
                        {
                            throw Violation("A result set began before the previous one ended.");
                        }

                        pending = Checked(() => ResultSetBuilder.Begin(frame));
                        break;
                    case FrameTypes.Row:
                        var open = pending ?? throw Violation("A row arrived outside a result set.");
                        Checked(() => open.AddRow(frame));
                        break;
                    case FrameTypes.EndResultSet:
                        var ended = pending ?? throw Violation("A result set ended that never began.");
                        var resultSet = Checked(() => ended.End(frame));
                        pending = null;
                        resultSets.Add(resultSet);
                        sink?.OnResultSet(resultSet);
                        break;
                    case FrameTypes.Done:
                        return Finish(frame, pending, messages, resultSets, cancellationToken);
                    case FrameTypes.Error:
                        throw Violation(Checked(() => frame.String("message")));
                    default:
                        throw Violation($"Unexpected frame \"{frame.Type}\".");
                }
            }
        }
    }

    private StatementOutcome Finish(Frame done, ResultSetBuilder? pending, List<SqlMessage> messages, List<ResultSet> resultSets, CancellationToken cancellationToken)
    {
        if (pending is not null)
        {
            throw Violation("The statement ended inside a result set.");
        }

        if (done.OptionalBool("cancelled"))
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new EngineClientException(EngineClientError.Stopping, "The engine is shutting down: it cancelled the statement.");
        }

        if (done.OptionalString("fault") is { } fault)
        {
            throw new EngineClientException(EngineClientError.EngineFault, $"The engine failed: {fault}");
        }

        bool succeeded = Checked(() => done.Bool("succeeded"));
        int messageCount = Checked(() => done.Int("messages"));
        int resultSetCount = Checked(() => done.Int("resultSets"));
        if (messageCount != messages.Count || resultSetCount != resultSets.Count)
        {
            throw Violation(string.Create(CultureInfo.InvariantCulture,
                $"The engine counted {messageCount} messages and {resultSetCount} result sets; {messages.Count} and {resultSets.Count} arrived."));
        }

        return new StatementOutcome { Succeeded = succeeded, Messages = messages, ResultSets = resultSets };
    }

    private static SqlMessage ReadMessage(Frame frame)
    {
        int severity = frame.Int("severity");
        int state = frame.Int("state");
        if (severity is < 0 or > 255 || state is < 0 or > 255)
        {
            throw new FrameException("A message's severity or state is outside 0..255.");
        }

        return new SqlMessage(frame.Int("number"), (byte)severity, (byte)state, frame.String("text")) { LineNumber = frame.Int("line") };
    }

    /// <summary>Runs a frame accessor, turning a malformed frame into a protocol violation.</summary>
    private T Checked<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (FrameException e)
        {
            throw Violation(e.Message, e);
        }
    }

    private void Checked(Action read) => Checked(() =>
    {
        read();
        return true;
    });

    private EngineClientException Violation(string problem, Exception? inner = null) =>
        new(EngineClientError.ProtocolViolation, $"The engine on '{SocketPath}' broke the protocol: {problem}", inner);

    private EngineClientException Lost(string when, Exception inner) =>
        new(EngineClientError.ConnectionLost, $"The connection to the engine on '{SocketPath}' was lost {when}: {inner.Message}", inner);
}
