using System.Text.Json.Serialization;

namespace OpenVdi.Cli.Output;

/// <summary>The source-generated serializers of the events (no reflection at run time).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MessageEvent))]
[JsonSerializable(typeof(ProgressEvent))]
[JsonSerializable(typeof(ResultSetEvent))]
[JsonSerializable(typeof(LogEvent))]
[JsonSerializable(typeof(ResultEvent))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(byte))]
[JsonSerializable(typeof(short))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(float))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(decimal))]
[JsonSerializable(typeof(DateTime))]
[JsonSerializable(typeof(DateTimeOffset))]
[JsonSerializable(typeof(Guid))]
[JsonSerializable(typeof(byte[]))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
