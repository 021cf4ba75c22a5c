using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.FrontDoor.Internal;

namespace OpenVdi.Engine.FrontDoor;

public sealed partial class EngineClient
{
    /// <summary>Asks the daemon how it is: version, pid, since when it listens, the statements it runs, its data directory.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The daemon's status.</returns>
    /// <exception cref="EngineClientException">No daemon listens; it refused this user; the connection broke; the daemon broke the protocol (or is too old to answer <c>status</c>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<EngineStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        RequestAsync(FrameEncoder.StatusRequest(), FrameTypes.Status, frame => new EngineStatus
        {
            Version = frame.String("version"),
            ProcessId = frame.Int("pid"),
            SocketPath = frame.String("socket"),
            StartedAt = frame.OptionalString("startedAt") is { } started ? DateTimeOffset.Parse(started, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : null,
            RunningStatements = frame.Int("runningStatements"),
            DataDirectory = frame.OptionalString("dataDirectory"),
            Databases = frame.Root.TryGetProperty("databases", out var count) && count.TryGetInt32(out int n) ? n : null,
        }, cancellationToken);

    /// <summary>Lists the daemon's databases with their files.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The databases, ordered by name.</returns>
    /// <exception cref="EngineClientException">As <see cref="GetStatusAsync"/>; or the daemon cannot list its databases (<see cref="EngineClientError.EngineFault"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<IReadOnlyList<DatabaseSummary>> ListDatabasesAsync(CancellationToken cancellationToken = default) =>
        RequestAsync<IReadOnlyList<DatabaseSummary>>(FrameEncoder.ListDatabases(), FrameTypes.Databases, frame =>
            [.. frame.Array("databases").EnumerateArray().Select(database => new DatabaseSummary(
                Text(database, "name"),
                Text(database, "state") == "restoring",
                [.. database.GetProperty("files").EnumerateArray().Select(file => new DatabaseFileSummary(
                    Text(file, "logicalName"),
                    Text(file, "type") == "log" ? DatabaseFileType.Log : DatabaseFileType.Data,
                    Text(file, "path"),
                    file.TryGetProperty("size", out var size) && size.TryGetInt64(out long bytes) ? bytes : null))]))],
            cancellationToken);

    /// <summary>
    /// Drops a database, answered as SQL Server's DROP DATABASE: success with no message, or 3701 (no such database)
    /// or 3702 (a statement uses it) as the outcome's error.
    /// </summary>
    /// <param name="name">The database.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="EngineClientException">As <see cref="GetStatusAsync"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<StatementOutcome> DropDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        using var socket = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var reader = new FrameReader(stream, EngineProtocol.MaxResponseFrameBytes);
        await ReadHelloAsync(reader, cancellationToken).ConfigureAwait(false);
        await SendAsync(stream, FrameEncoder.DropDatabase(name), cancellationToken).ConfigureAwait(false);
        return await ReadAnswerAsync(reader, sink: null, cancellationToken, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one request frame and reads the one frame of type <paramref name="answer"/> that answers it.</summary>
    private async Task<T> RequestAsync<T>(byte[] request, string answer, Func<Frame, T> read, CancellationToken cancellationToken)
    {
        using var socket = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var reader = new FrameReader(stream, EngineProtocol.MaxResponseFrameBytes);
        await ReadHelloAsync(reader, cancellationToken).ConfigureAwait(false);
        await SendAsync(stream, request, cancellationToken).ConfigureAwait(false);
        Frame? frame;
        try
        {
            frame = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            throw Lost("before the engine answered", e);
        }
        catch (FrameException e)
        {
            throw Violation(e.Message, e);
        }

        using (frame)
        {
            if (frame is null)
            {
                throw new EngineClientException(EngineClientError.ConnectionLost, $"The engine on '{SocketPath}' closed the connection without an answer.");
            }

            if (frame.Type == FrameTypes.Error)
            {
                string message = Checked(() => frame.String("message"));
                // A daemon that does not know the request says what it expected: that is a protocol mismatch.
                throw message.StartsWith("Expected ", StringComparison.Ordinal)
                    ? Violation(message)
                    : new EngineClientException(EngineClientError.EngineFault, message);
            }

            return frame.Type == answer ? Checked(() => read(frame)) : throw Violation($"Expected \"{answer}\", not \"{frame.Type}\".");
        }
    }

    private async Task SendAsync(NetworkStream stream, byte[] frame, CancellationToken cancellationToken, string what = "the request")
    {
        try
        {
            await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            throw Lost($"while sending {what}", e);
        }
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FrameException($"A database entry has no string \"{name}\".");
}
