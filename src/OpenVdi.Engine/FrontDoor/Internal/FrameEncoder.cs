using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.FrontDoor.Internal;

/// <summary>
/// Builds every frame of the protocol as the bytes to send: one JSON object, no line break inside (the writer
/// escapes control characters in strings), then a line feed.
/// </summary>
internal static class FrameEncoder
{
    // Relaxed escaping keeps quotes and non-ASCII text readable in logs and captures; the frames never reach HTML.
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public static byte[] Hello(int processId) => Build(writer =>
    {
        writer.WriteString("type", FrameTypes.Hello);
        writer.WriteNumber("protocol", EngineProtocol.Version);
        writer.WriteString("engine", EngineProtocol.EngineName);
        writer.WriteNumber("pid", processId);
    });

    public static byte[] Refused(string reason, string message) => Build(writer =>
    {
        writer.WriteString("type", FrameTypes.Refused);
        writer.WriteString("reason", reason);
        writer.WriteString("message", message);
    });

    /// <summary>The <c>execute</c> frame; <c>faults</c> only when <paramref name="faults"/> is not empty.</summary>
    public static byte[] Execute(string statement, string? faults = null) => Build(writer =>
    {
        writer.WriteString("type", FrameTypes.Execute);
        writer.WriteString("statement", statement);
        if (!string.IsNullOrEmpty(faults))
        {
            writer.WriteString("faults", faults);
        }
    });

    public static byte[] Cancel() => Build(writer => writer.WriteString("type", FrameTypes.Cancel));

    public static byte[] Message(SqlMessage message) => Build(writer =>
    {
        writer.WriteString("type", FrameTypes.Message);
        writer.WriteNumber("number", message.Number);
        writer.WriteNumber("severity", message.Severity);
        writer.WriteNumber("state", message.State);
        writer.WriteNumber("line", message.LineNumber);
        writer.WriteString("text", message.Text);
    });

    /// <summary>The frames of one result set: its columns, one frame per row, and its end.</summary>
    public static IEnumerable<byte[]> ResultSet(ResultSet resultSet)
    {
        var types = new string[resultSet.Columns.Count];
        for (int i = 0; i < types.Length; i++)
        {
            types[i] = ColumnTypes.Of(resultSet.Rows, i);
        }

        yield return Build(writer =>
        {
            writer.WriteString("type", FrameTypes.ResultSet);
            writer.WriteStartArray("columns");
            for (int i = 0; i < types.Length; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("name", resultSet.Columns[i]);
                writer.WriteString("type", types[i]);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });

        foreach (var row in resultSet.Rows)
        {
            yield return Build(writer =>
            {
                writer.WriteString("type", FrameTypes.Row);
                writer.WriteStartArray("values");
                for (int i = 0; i < types.Length; i++)
                {
                    ColumnTypes.Write(writer, i < row.Count ? row[i] : null, types[i]);
                }

                writer.WriteEndArray();
            });
        }

        yield return Build(writer =>
        {
            writer.WriteString("type", FrameTypes.EndResultSet);
            writer.WriteNumber("rows", resultSet.Rows.Count);
        });
    }

    public static byte[] Done(bool succeeded, int messages, int resultSets, bool cancelled = false, string? fault = null) => Build(writer =>
    {
        writer.WriteString("type", FrameTypes.Done);
        writer.WriteBoolean("succeeded", succeeded);
        writer.WriteNumber("messages", messages);
        writer.WriteNumber("resultSets", resultSets);
        if (cancelled)
        {
            writer.WriteBoolean("cancelled", true);
        }

        if (fault is not null)
        {
            writer.WriteString("fault", fault);
        }
    });

    /// <summary>The <c>status</c> frame: the daemon and what it does now.</summary>
    public static byte[] Status(EngineStatus status) => Build(writer =>
    {
        writer.WriteString("type", FrameTypes.Status);
        writer.WriteString("engine", EngineProtocol.EngineName);
        writer.WriteString("version", status.Version);
        writer.WriteNumber("protocol", EngineProtocol.Version);
        writer.WriteNumber("pid", status.ProcessId);
        writer.WriteString("socket", status.SocketPath);
        if (status.StartedAt is { } started)
        {
            writer.WriteString("startedAt", started);
        }

        writer.WriteNumber("runningStatements", status.RunningStatements);
        if (status.DataDirectory is { } data)
        {
            writer.WriteString("dataDirectory", data);
        }

        if (status.Databases is { } count)
        {
            writer.WriteNumber("databases", count);
        }
    });

    /// <summary>The <c>databases</c> frame: every database with its files.</summary>
    public static byte[] Databases(IReadOnlyList<DatabaseSummary> databases) => Build(writer =>
    {
        writer.WriteString("type", FrameTypes.Databases);
        writer.WriteStartArray("databases");
        foreach (var database in databases)
        {
            writer.WriteStartObject();
            writer.WriteString("name", database.Name);
            writer.WriteString("state", database.IsRestoring ? "restoring" : "online");
            writer.WriteStartArray("files");
            foreach (var file in database.Files)
            {
                writer.WriteStartObject();
                writer.WriteString("logicalName", file.LogicalName);
                writer.WriteString("type", file.Type == Format.DatabaseFileType.Log ? "log" : "data");
                writer.WriteString("path", file.Path);
                if (file.SizeBytes is { } size)
                {
                    writer.WriteNumber("size", size);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    public static byte[] ListDatabases() => Build(writer => writer.WriteString("type", FrameTypes.ListDatabases));

    public static byte[] StatusRequest() => Build(writer => writer.WriteString("type", FrameTypes.Status));

    public static byte[] DropDatabase(string name) => Build(writer =>
    {
        writer.WriteString("type", FrameTypes.DropDatabase);
        writer.WriteString("name", name);
    });

    public static byte[] Error(string message) => Build(writer =>
    {
        writer.WriteString("type", FrameTypes.Error);
        writer.WriteString("message", message);
    });

    private static byte[] Build(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, s_options))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        var frame = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(frame);
        frame[^1] = (byte)'\n';
        return frame;
    }
}
