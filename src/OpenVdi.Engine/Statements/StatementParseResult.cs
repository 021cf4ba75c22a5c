using System.Diagnostics.CodeAnalysis;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Statements;

/// <summary>
/// What <see cref="StatementParser.Parse"/> returns: either a checked <see cref="Statements.Statement"/>
/// or the messages SQL Server would answer the text with.
/// </summary>
public sealed class StatementParseResult
{
    internal StatementParseResult(Statement statement, SourcePosition position)
    {
        Statement = statement;
        Messages = [];
        Position = position;
        Succeeded = true;
    }

    internal StatementParseResult(ParseFailure failure)
    {
        Messages = failure.Messages;
        Error = failure.Messages[0];
        Position = failure.Position;
    }

    /// <summary>True when the text is a statement the engine can run; then <see cref="Statement"/> is set, else <see cref="Error"/> is.</summary>
    [MemberNotNullWhen(true, nameof(Statement))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded { get; }

    /// <summary>The statement, a <see cref="BackupStatement"/> or a <see cref="RestoreStatement"/>; null when the text was refused.</summary>
    public Statement? Statement { get; }

    /// <summary>The error that refused the text (the first of <see cref="Messages"/>); null on success.</summary>
    public SqlMessage? Error { get; }

    /// <summary>
    /// Every message SQL Server would send for the refused text, in its order: the error, then, for
    /// errors found while the statement runs (severity 16), 3013 "… is terminating abnormally.";
    /// a compile error (severity 15) stands alone, and 105 is followed by 102 as SQL Server does.
    /// Empty on success.
    /// </summary>
    public IReadOnlyList<SqlMessage> Messages { get; }

    /// <summary>On success, where the statement starts; on failure, where the error is (the token it is near, the option or device at fault, or the statement's start).</summary>
    public SourcePosition Position { get; }
}
