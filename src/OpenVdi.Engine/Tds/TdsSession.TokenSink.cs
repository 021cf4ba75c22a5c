using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Tds;

internal sealed partial class TdsSession
{
    /// <summary>
    /// The sink the session gives the engine: each message becomes an INFO or ERROR token, each result set
    /// COLMETADATA, ROW tokens and a DONE (or DONEINPROC) with its row count, queued for the client at once.
    /// </summary>
    private sealed class TokenSink : IStatementSink
    {
        private readonly TdsSession _session;
        private readonly TdsTokenType _resultDone;

        public TokenSink(TdsSession session, TdsTokenType resultDone)
        {
            _session = session;
            _resultDone = resultDone;
        }

        /// <summary>A result set could not be encoded (an engine bug); the client was told with an error.</summary>
        public bool Failed { get; private set; }

        public void OnMessage(SqlMessage message)
        {
            ArgumentNullException.ThrowIfNull(message);
            _session.Send(Tokens(t => TdsTokens.Message(t, message, _session._server.ServerName)));
        }

        public void OnResultSet(ResultSet resultSet)
        {
            ArgumentNullException.ThrowIfNull(resultSet);
            byte[] tokens;
            try
            {
                tokens = Tokens(t =>
                {
                    ResultSetEncoder.Write(t, resultSet);
                    TdsTokens.Done(t, _resultDone, TdsDoneStatus.Count | TdsDoneStatus.More, resultSet.Rows.Count);
                });
            }
            catch (Exception e) when (e is InvalidCastException or OverflowException or FormatException)
            {
                Failed = true;
                _session.Log($"engine fault: a result set cannot be encoded: {e.Message}");
                tokens = Tokens(t => TdsTokens.Message(t, SqlMessages.EngineFault($"a result set cannot be sent: {e.Message}"), _session._server.ServerName));
            }

            _session.Send(tokens);
        }
    }
}
