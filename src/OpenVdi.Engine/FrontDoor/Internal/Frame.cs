using System.Text.Json;

namespace OpenVdi.Engine.FrontDoor.Internal;

/// <summary>One received frame: a parsed JSON object with its <c>"type"</c>, and checked accessors for its members.</summary>
internal sealed class Frame : IDisposable
{
    private readonly JsonDocument _document;

    private Frame(JsonDocument document, string type)
    {
        _document = document;
        Type = type;
    }

    /// <summary>The frame's <c>"type"</c>.</summary>
    public string Type { get; }

    /// <summary>The whole object.</summary>
    public JsonElement Root => _document.RootElement;

    /// <summary>Parses one line (without its line feed).</summary>
    /// <exception cref="FrameException">The line is not a JSON object with a string <c>"type"</c>.</exception>
    public static Frame Parse(byte[] line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new FrameException($"A frame is not valid JSON: {e.Message}", e);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("type", out var type)
            || type.ValueKind != JsonValueKind.String)
        {
            document.Dispose();
            throw new FrameException("A frame is not a JSON object with a string \"type\".");
        }

        try
        {
            return new Frame(document, Text(type, "type"));
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    public string String(string name) => Text(Member(name, JsonValueKind.String), name);

    public string? OptionalString(string name) =>
        Root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? Text(value, name) : null;

    /// <summary>
    /// A string member as text. JSON lets a frame carry bytes that are not UTF-8, or an escaped half of a surrogate
    /// pair, which no text can hold: that is the client's error, answered with an error frame like any other.
    /// </summary>
    private static string Text(JsonElement value, string name)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new FrameException($"The \"{name}\" member is not valid text (invalid UTF-8, or an unpaired surrogate).", e);
        }
    }

    public int Int(string name) =>
        Member(name, JsonValueKind.Number).TryGetInt32(out int value) ? value : throw new FrameException($"The \"{name}\" of a {Type} frame is not a 32-bit integer.");

    public bool Bool(string name) =>
        Root.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new FrameException($"A {Type} frame has no boolean \"{name}\".");

    public bool OptionalBool(string name) =>
        Root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    public JsonElement Array(string name) => Member(name, JsonValueKind.Array);

    public void Dispose() => _document.Dispose();

    private JsonElement Member(string name, JsonValueKind kind) =>
        Root.TryGetProperty(name, out var value) && value.ValueKind == kind
            ? value
            : throw new FrameException($"A {Type} frame has no {kind.ToString().ToLowerInvariant()} \"{name}\".");
}
