namespace OpenVdi.Engine.Statements;

/// <summary>A place in the statement text.</summary>
/// <param name="Line">The 1-based line; lines end at LF, CR LF or a lone CR.</param>
/// <param name="Column">The 1-based column within the line, counted in UTF-16 code units.</param>
/// <param name="Offset">The 0-based offset from the start of the text, in UTF-16 code units.</param>
public readonly record struct SourcePosition(int Line, int Column, int Offset);
