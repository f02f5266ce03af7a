#pragma once
// Encrypts secret values at rest (SecureString parameters, generated credentials) with
// AES-256-GCM. The key comes from SLUICE_MASTER_KEY (base64 of 32 bytes; what workers
// sharing one database must all be given) or from a key file created on first use with
// mode 0600 beside the embedded state database.
#include <string>

namespace sluice::state {

class SecretBox {
 public:
  explicit SecretBox(std::string key);  // 32 raw bytes

  static SecretBox fromEnvironmentOrKeyFile(const std::string& key_file);

  // Returns nonce || ciphertext || tag.
  std::string seal(const std::string& plaintext) const;
  // Throws Error(InternalError) when the box was sealed with another key or altered.
  std::string open(const std::string& sealed) const;

 private:
  std::string key_;
};

}  // namespace sluice::state
