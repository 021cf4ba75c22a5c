namespace OpenVdi.SqlVdi.Tests.Infrastructure;

/// <summary>Every test of the drop-in shares one build and one engine daemon, and runs one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class SqlVdiCollection : ICollectionFixture<SqlVdiFixture>
{
    public const string Name = "libsqlvdi.so";
}
