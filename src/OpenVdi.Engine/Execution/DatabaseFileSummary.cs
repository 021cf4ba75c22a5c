using OpenVdi.Engine.Format;

namespace OpenVdi.Engine.Execution;

/// <summary>One file of a <see cref="DatabaseSummary"/>.</summary>
/// <param name="LogicalName">Its logical name (RESTORE … MOVE uses it).</param>
/// <param name="Type">Data or log.</param>
/// <param name="Path">Its full path.</param>
/// <param name="SizeBytes">Its length; null when the file is missing.</param>
public sealed record DatabaseFileSummary(string LogicalName, DatabaseFileType Type, string Path, long? SizeBytes);
