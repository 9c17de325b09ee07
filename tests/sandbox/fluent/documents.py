"""GraphQL documents the sandbox tests send (written here, independent of the connector's)."""

ADDRESS = """
fragment Addr on Address {
  id ref type name street city postcode country latitude longitude timeZone
}
"""

CREATE_CUSTOMER = """
mutation ($input: CreateCustomerInput) {
  createCustomer(input: $input) { id ref username primaryEmail status createdOn updatedOn }
}
"""

CUSTOMERS = """
query ($username: [String], $first: Int, $after: String) {
  customers(username: $username, first: $first, after: $after) {
    edges { cursor node { id username } }
    pageInfo { hasNextPage hasPreviousPage }
  }
}
"""

CREATE_STANDARD_PRODUCT = """
mutation ($input: CreateStandardProductInput) {
  createStandardProduct(input: $input) {
    id ref name gtin status catalogue { ref }
    categories(first: 10) { edges { node { ref } } }
    prices { type currency value }
    attributes { name type value }
  }
}
"""

UPDATE_STANDARD_PRODUCT = """
mutation ($input: UpdateStandardProductInput) {
  updateStandardProduct(input: $input) {
    id ref name gtin status summary updatedOn
    categories(first: 10) { edges { node { ref } } }
    prices { type currency value }
    attributes { name type value }
  }
}
"""

CREATE_VARIANT_PRODUCT = """
mutation ($input: CreateVariantProductInput) {
  createVariantProduct(input: $input) { id ref name product { ref } catalogue { ref } }
}
"""

VARIANT_PRODUCTS = """
query ($refs: [String!], $catalogue: ProductCatalogueKey, $first: Int, $after: String) {
  variantProducts(ref: $refs, catalogue: $catalogue, first: $first, after: $after) {
    edges { cursor node { ref product { ref } } }
    pageInfo { hasNextPage }
  }
}
"""

CREATE_CATEGORY = """
mutation ($input: CreateCategoryInput) {
  createCategory(input: $input) { id ref name parentCategory { ref } catalogue { ref } }
}
"""

UPDATE_CATEGORY = """
mutation ($input: UpdateCategoryInput) {
  updateCategory(input: $input) { id ref name status parentCategory { ref } }
}
"""

CATEGORIES = """
query ($refs: [String!], $catalogue: ProductCatalogueKey, $first: Int, $after: String) {
  categories(ref: $refs, catalogue: $catalogue, first: $first, after: $after) {
    edges { cursor node { ref name } }
    pageInfo { hasNextPage }
  }
}
"""

ORDER_FIELDS = """
fragment OrderFields on Order {
  id ref type status workflowRef createdOn updatedOn
  customer { id ref }
  retailer { id ref }
  fulfilmentChoice { deliveryType pickupLocationRef deliveryAddress { ...Addr } }
  items(first: 50) {
    edges { cursor node { id ref quantity status product { ... on VariantProduct { ref } } } }
    pageInfo { hasNextPage }
  }
}
"""

CREATE_ORDER = (
    """
mutation ($input: CreateOrderInput) { createOrder(input: $input) { ...OrderFields } }
"""
    + ORDER_FIELDS
    + ADDRESS
)

ORDERS = """
query ($refs: [String], $status: [String], $first: Int, $after: String) {
  orders(ref: $refs, status: $status, first: $first, after: $after) {
    edges { cursor node { id ref status } }
    pageInfo { hasNextPage hasPreviousPage }
  }
}
"""

ORDER_ITEMS = """
query ($id: ID!, $first: Int, $after: String) {
  orderById(id: $id) {
    items(first: $first, after: $after) {
      edges { cursor node { ref } }
      pageInfo { hasNextPage }
    }
  }
}
"""

FULFILMENT_FIELDS = """
fragment FulfilmentFields on Fulfilment {
  id ref type status deliveryType workflowRef
  order { id ref status }
  fromAddress { ...Addr }
  toAddress { ...Addr }
  items(first: 50) {
    edges {
      node { id ref status requestedQuantity filledQuantity rejectedQuantity orderItem { id ref } }
    }
  }
  articles(first: 10) {
    edges {
      node {
        ref quantity weight
        items(first: 10) { edges { node { quantity barcode } } }
        consignmentArticles(first: 5) {
          edges {
            node {
              consignment {
                consignmentReference trackingLabel labelUrl status carrier { ref name }
              }
            }
          }
        }
      }
    }
  }
}
"""

CREATE_FULFILMENT = (
    """
mutation ($input: CreateFulfilmentInput) { createFulfilment(input: $input) { ...FulfilmentFields } }
"""
    + FULFILMENT_FIELDS
    + ADDRESS
)

FULFILMENT = (
    """
query ($id: ID!) { fulfilmentById(id: $id) { ...FulfilmentFields } }
"""
    + FULFILMENT_FIELDS
    + ADDRESS
)

ORDER_WITH_FULFILMENTS = (
    """
query ($id: ID!) {
  orderById(id: $id) {
    ref status
    fulfilments(first: 10) { edges { node { ...FulfilmentFields } } pageInfo { hasNextPage } }
  }
}
"""
    + FULFILMENT_FIELDS
    + ADDRESS
)

LOCATION_ADDRESS = """
query ($ref: String) { location(ref: $ref) { ref primaryAddress { id ref } } }
"""

NETWORK_LOCATIONS = (
    """
query ($ref: String, $updatedOn: DateRange, $first: Int, $after: String) {
  network(ref: $ref) {
    ref
    locations(updatedOn: $updatedOn, first: $first, after: $after) {
      edges {
        cursor
        node {
          ref name type status supportPhoneNumber updatedOn
          primaryAddress { ...Addr }
          openingSchedule { allHours monStart monEnd sunStart sunEnd }
        }
      }
      pageInfo { hasNextPage }
    }
  }
}
"""
    + ADDRESS
)

INVENTORY_POSITIONS = """
query (
  $products: [String!], $locations: [String], $catalogue: InventoryCatalogueKey, $first: Int,
  $after: String
) {
  inventoryPositions(
    productRef: $products, locationRef: $locations, catalogue: $catalogue, first: $first,
    after: $after
  ) {
    edges { cursor node { ref productRef locationRef onHand status catalogue { ref } } }
    pageInfo { hasNextPage }
  }
}
"""

VIRTUAL_POSITIONS = """
query (
  $catalogue: VirtualCatalogueKey, $products: [String], $updatedOn: DateRange, $first: Int,
  $after: String
) {
  virtualPositions(
    catalogue: $catalogue, productRef: $products, updatedOn: $updatedOn, first: $first,
    after: $after
  ) {
    edges { cursor node { ref productRef quantity groupRef updatedOn catalogue { ref } } }
    pageInfo { hasNextPage }
  }
}
"""

CREATE_BILLING_ACCOUNT = """
mutation ($input: CreateBillingAccountInput) {
  createBillingAccount(input: $input) { id ref type name status customer { ref } address { city } }
}
"""

CREATE_INVOICE = """
mutation ($input: CreateInvoiceInput) {
  createInvoice(input: $input) {
    id ref type status issueDate billingAccount { ref } order { ref } currency { alphabeticCode }
    totalAmount { amount } defaultTaxType { country group tariff }
    items(first: 10) { edges { node { ref unitQuantity { quantity } amount { amount } } } }
  }
}
"""

INVOICES = """
query ($refs: [String!]) {
  invoices(ref: $refs, first: 5) { edges { node { ref totalAmount { amount } } } }
}
"""
