#pragma once
// The arn:aws:states:::dynamodb:* service integrations (putItem, getItem, updateItem,
// deleteItem, query) on sluice's item tables, with DynamoDB's request and response
// shapes. Errors are named as Step Functions names them (DynamoDB.ConditionalCheckFailedException,
// …).
#include <nlohmann/json.hpp>
#include <string>

namespace sluice::state {
class ItemStore;
}

namespace sluice::workflows {

// `action` is putItem, getItem, updateItem, deleteItem or query.
nlohmann::json runDynamoDbTask(const std::string& action, const nlohmann::json& parameters,
                               state::ItemStore& items);

}  // namespace sluice::workflows
