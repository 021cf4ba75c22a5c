'use strict';
// Runs one statement on a TDS server with tedious and reports what happened, one JSON object per line on standard
// output, as it happens: {"event":"connected"}, {"event":"message",...} for every INFO and ERROR token,
// {"event":"row",...}, then {"event":"done",...} or {"event":"connectFailed",...}. The OpenVdi tests read these
// lines; the statement's outcome is decided there, as a backup application would decide it.
//
// Usage: node run-statement.js '<json>' where the JSON object has server, port, user, password, encrypt,
// trustServerCertificate, statement, mode ("batch" for execSqlBatch, "sql" for execSql, i.e. sp_executesql) and,
// for "sql", parameters: [{name, type ("NVarChar" | "Int"), value}].
const { Connection, Request, TYPES } = require('tedious');

const request = JSON.parse(process.argv[2]);
const emit = (event, fields) => process.stdout.write(JSON.stringify({ event, ...fields }) + '\n');
const message = (m) => emit('message', {
  number: m.number, severity: m.class, state: m.state, line: m.lineNumber, text: m.message,
});

const connection = new Connection({
  server: request.server,
  authentication: { type: 'default', options: { userName: request.user, password: request.password } },
  options: {
    port: request.port,
    encrypt: request.encrypt,
    trustServerCertificate: request.trustServerCertificate,
    connectTimeout: 30000,
    requestTimeout: 0,
  },
});

connection.on('connect', (err) => {
  if (err) {
    emit('connectFailed', { message: err.message, code: err.code || null });
    process.exit(0);
  }

  emit('connected', {});
  connection.on('infoMessage', message);
  connection.on('errorMessage', message);
  const statement = new Request(request.statement, (error, rowCount) => {
    emit('done', { error: error ? error.message : null, rowCount: rowCount ?? 0 });
    connection.close();
  });
  statement.on('row', (columns) => emit('row', {
    columns: columns.map((c) => c.metadata.colName),
    types: columns.map((c) => c.metadata.type.name),
    values: columns.map((c) => (c.value instanceof Date ? c.value.toISOString() : c.value)),
  }));
  if (request.mode === 'sql') {
    for (const p of request.parameters || []) {
      statement.addParameter(p.name, TYPES[p.type], p.value);
    }
    connection.execSql(statement);
  } else {
    connection.execSqlBatch(statement);
  }
});

connection.on('end', () => process.exit(0));
connection.connect();
