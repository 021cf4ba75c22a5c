using System.Globalization;

namespace OpenVdi.Engine.Messages;

/// <summary>
/// One message as SQL Server sends it to a client: error number, severity (SQL Server calls it
/// "level"), state and the formatted text. Severity 10 and below is informational (progress,
/// success); 11 to 16 are errors the user can correct; 15 is the class of compile-time syntax errors.
/// </summary>
/// <param name="Number">The message number, as in <c>sys.messages</c> (for example 102, 3013, 3014).</param>
/// <param name="Severity">The severity (level) SQL Server gives the message.</param>
/// <param name="State">The state, which SQL Server uses to tell apart the places that raise one number.</param>
/// <param name="Text">The message text with its arguments filled in.</param>
public sealed record SqlMessage(int Number, byte Severity, byte State, string Text)
{
    /// <summary>
    /// The 1-based line of the statement text the message refers to, as SQL Server reports it with
    /// every message; 0 when the message is not tied to a line (progress and success messages).
    /// </summary>
    public int LineNumber { get; init; }

    /// <summary>True when the message is an error (severity above 10) rather than information.</summary>
    public bool IsError => Severity > 10;

    /// <summary>
    /// Returns the message the way sqlcmd and SSMS print it: <c>Msg 102, Level 15, State 1, Line 1</c>
    /// on the first line and the text on the second; informational messages print their text only.
    /// </summary>
    /// <returns>The printable form of the message.</returns>
    public override string ToString() => IsError
        ? string.Create(CultureInfo.InvariantCulture, $"Msg {Number}, Level {Severity}, State {State}, Line {LineNumber}\n{Text}")
        : Text;
}
