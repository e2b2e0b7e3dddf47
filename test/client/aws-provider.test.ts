/**
 * The conformance suite on the AWS SDK provider against a real `coffer serve`, seeded through the
 * SDK: parameters (the password a SecureString), text, JSON and binary secrets.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { AwsProvider } from '../../src/client/aws-provider.js';
import { ROOT, startServer } from '../helpers/server-process.js';
import { BINARY_SECRET, exerciseProvider, PARAMETERS, SECRETS } from './provider-conformance.js';

exerciseProvider('aws: coffer serve through the SDK', async () => {
  const server = await startServer();
  const ssm = server.client();
  const sm = new SecretsManagerClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: ROOT });
  try {
    for (const [name, value] of Object.entries(PARAMETERS)) {
      const type = name.endsWith('password') ? 'SecureString' : 'String';
      await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: type }));
    }
    for (const [name, value] of Object.entries(SECRETS)) {
      await sm.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    }
    await sm.send(new CreateSecretCommand({ Name: BINARY_SECRET.name, SecretBinary: BINARY_SECRET.value }));
  } finally {
    sm.destroy();
  }
  const provider = new AwsProvider({ endpoint: server.endpoint, region: 'us-east-1', credentials: ROOT });
  return { provider, binary: true, cleanup: () => server.stop().then(() => {}) };
});
