using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Execution;

/// <summary>Receives what a running statement sends, in order, as it happens.</summary>
public interface IStatementSink
{
    /// <summary>A message: progress, information, or an error.</summary>
    void OnMessage(SqlMessage message);

    /// <summary>A result set (RESTORE HEADERONLY, FILELISTONLY, LABELONLY).</summary>
    void OnResultSet(ResultSet resultSet);
}
