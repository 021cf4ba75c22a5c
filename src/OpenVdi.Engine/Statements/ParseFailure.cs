using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Statements;

/// <summary>Why a statement was refused: the messages SQL Server would send, and where.</summary>
/// <param name="Messages">The messages in SQL Server's order; the first is the error itself.</param>
/// <param name="Position">Where the error is: the token it is near, or the statement's start.</param>
internal sealed record ParseFailure(IReadOnlyList<SqlMessage> Messages, SourcePosition Position);
