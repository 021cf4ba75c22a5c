using System.Text.Json;

namespace OpenVdi.Cli.Output;

/// <summary>
/// The last event of every command: whether it succeeded, its exit code, the error when it failed, and what it
/// did. Commands fill the members that apply to them.
/// </summary>
internal sealed record ResultEvent
{
    public string Type { get; } = "result";

    public DateTimeOffset Time { get; init; }

    /// <summary>The command, as typed after <c>vdi</c>: <c>backup</c>, <c>engine list</c>…</summary>
    public string Command { get; init; } = string.Empty;

    public bool Succeeded { get; init; }

    public int ExitCode { get; init; }

    /// <summary>The closing line, as the command prints it for people.</summary>
    public string Text { get; init; } = string.Empty;

    public ErrorInfo? Error { get; init; }

    public string? Database { get; init; }

    public string? Directory { get; init; }

    /// <summary><c>full</c>, <c>differential</c> or <c>log</c>.</summary>
    public string? BackupType { get; init; }

    public long? Bytes { get; init; }

    public double? ElapsedSeconds { get; init; }

    public double? BytesPerSecond { get; init; }

    public IReadOnlyList<string>? Files { get; init; }

    public IReadOnlyList<DatabaseEntry>? Databases { get; init; }

    public EngineStatusEntry? Engine { get; init; }

    /// <summary><c>vdi bench</c>: the results document (docs/benchmarks.md).</summary>
    public JsonElement? Bench { get; init; }
}
