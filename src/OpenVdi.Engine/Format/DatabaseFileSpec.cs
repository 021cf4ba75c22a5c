namespace OpenVdi.Engine.Format;

/// <summary>A file of a database as the catalogue lists it, before it is opened.</summary>
/// <param name="LogicalName">The file's logical name (what MOVE refers to).</param>
/// <param name="Path">
/// Where the file is: relative to the database directory ('/'-separated, no '..'), or an absolute path
/// for a file attached in place outside it.
/// </param>
/// <param name="Type">Data or log.</param>
public sealed record DatabaseFileSpec(string LogicalName, string Path, DatabaseFileType Type);
