using System.Text.Json;
using OpenVdi.Engine.Format;

namespace OpenVdi.Engine.Databases;

/// <summary>
/// Reads and writes the manifest that makes a directory a database:
/// <c>&lt;data directory&gt;/&lt;name&gt;/.openvdi-database.json</c>.
/// <code>
/// {
///   "format": "openvdi-database",
///   "version": 1,
///   "name": "sales",
///   "state": "restoring",
///   "files": [
///     { "logicalName": "sales",     "path": "sales.mdf",     "type": "data" },
///     { "logicalName": "sales_log", "path": "sales_log.ldf", "type": "log"  }
///   ]
/// }
/// </code>
/// A path is relative to the database directory, or absolute for a file attached in place. <c>state</c> is there only
/// for a database left restoring by RESTORE … WITH NORECOVERY (<c>"online"</c> or none: online).
/// </summary>
internal static class DatabaseManifest
{
    /// <summary>The manifest's file name; no database file may have it.</summary>
    public const string FileName = ".openvdi-database.json";

    private const string FormatName = "openvdi-database";
    private const int Version = 1;

    /// <summary>Writes the manifest atomically (temporary file, then rename over the old one).</summary>
    public static void Write(string directory, string name, IReadOnlyList<DatabaseFileSpec> files, bool restoring = false)
    {
        string path = Path.Combine(directory, FileName);
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", FormatName);
            json.WriteNumber("version", Version);
            json.WriteString("name", name);
            if (restoring)
            {
                json.WriteString("state", "restoring");
            }

            json.WriteStartArray("files");
            foreach (var file in files)
            {
                json.WriteStartObject();
                json.WriteString("logicalName", file.LogicalName);
                json.WriteString("path", file.Path);
                json.WriteString("type", file.Type == DatabaseFileType.Log ? "log" : "data");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>True when <paramref name="directory"/> holds a manifest.</summary>
    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, FileName));

    /// <summary>Reads a manifest; a malformed one is an <see cref="InvalidDataException"/> naming the file.</summary>
    public static DatabaseInfo Read(string directory)
    {
        string path = Path.Combine(directory, FileName);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.GetProperty("format").GetString() != FormatName || root.GetProperty("version").GetInt32() != Version)
            {
                throw new InvalidDataException($"The database manifest '{path}' has an unknown format or version.");
            }

            string name = root.GetProperty("name").GetString() ?? string.Empty;
            var files = new List<DatabaseFileSpec>();
            foreach (var file in root.GetProperty("files").EnumerateArray())
            {
                var type = file.GetProperty("type").GetString() switch
                {
                    "data" => DatabaseFileType.Data,
                    "log" => DatabaseFileType.Log,
                    var other => throw new InvalidDataException($"The database manifest '{path}' gives a file the type '{other}'."),
                };
                files.Add(new DatabaseFileSpec(
                    file.GetProperty("logicalName").GetString() ?? string.Empty,
                    file.GetProperty("path").GetString() ?? string.Empty,
                    type));
            }

            bool restoring = root.TryGetProperty("state", out var state) ? state.GetString() switch
            {
                "restoring" => true,
                "online" => false,
                var other => throw new InvalidDataException($"The database manifest '{path}' gives the state '{other}'."),
            }
            : false;
            var info = new DatabaseInfo(name, directory, files) { IsRestoring = restoring };
            string? problem = DatabaseCatalogue.FindProblem(info);
            return problem is null ? info : throw new InvalidDataException($"The database manifest '{path}' is not valid: {problem}");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The database manifest '{path}' is not valid JSON of the expected shape: {e.Message}", e);
        }
    }
}
