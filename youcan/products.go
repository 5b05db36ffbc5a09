package youcan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// ProductPage is one page of the product catalogue.
type ProductPage struct {
	Products []Product // with their Variants filled

	Page       int // this page's number, from 1
	PerPage    int // the page size that the API applied, which may be below the requested limit
	TotalPages int // the number of pages, which is also the last page number
	Total      int // the number of products over all pages, or 0 when the response omits it
}

// GetProduct reads the product with the given id and its variants with
// GET /products/{id}?include=variants. The variants' Product field is nil.
// An unknown id returns an *Error with status 404.
func (c *Client) GetProduct(ctx context.Context, id string) (*Product, error) {
	productPath, err := escapeID("product", id)
	if err != nil {
		return nil, err
	}
	query := url.Values{"include": {"variants"}}
	req, err := c.newRequest(ctx, http.MethodGet, "/products/"+productPath, query, nil)
	if err != nil {
		return nil, err
	}

	var product Product
	err = c.do(req, func(data []byte) error {
		// The API returns the product itself; a {"data": {...}} wrapper,
		// which other Laravel APIs use, is accepted too.
		if !hasValue(data, "id") && hasValue(data, "data") {
			var wrapper struct {
				Data json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(data, &wrapper); err != nil {
				return fmt.Errorf("invalid JSON: %w", err)
			}
			data = wrapper.Data
		}
		if err := json.Unmarshal(data, &product); err != nil {
			return err
		}
		if product.ID == "" {
			return errors.New("the response has no product id")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &product, nil
}

// ListProducts reads one page of products with their variants with
// GET /products?include=variants&page={page}&limit={limit}. Pages count from
// 1. A limit of 0 leaves the page size to the API, which documents a default
// of 10. The API probably caps the limit at 50, so callers read PerPage and
// TotalPages from the result and request each page number in turn.
// ListProducts ignores the "next" link of the response, because the
// documented example points it at another host.
func (c *Client) ListProducts(ctx context.Context, page, limit int) (*ProductPage, error) {
	if page < 1 {
		return nil, fmt.Errorf("invalid page %d: pages count from 1", page)
	}
	if limit < 0 {
		return nil, fmt.Errorf("invalid limit %d: it must be at least 1, or 0 for the API's default", limit)
	}

	query := url.Values{"include": {"variants"}, "page": {strconv.Itoa(page)}}
	if limit > 0 {
		query.Set("limit", strconv.Itoa(limit))
	}
	req, err := c.newRequest(ctx, http.MethodGet, "/products", query, nil)
	if err != nil {
		return nil, err
	}

	var result *ProductPage
	err = c.do(req, func(data []byte) error {
		var decodeErr error
		result, decodeErr = decodeProductPage(data, page)
		return decodeErr
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// decodeProductPage decodes
// {"data": [...], "meta": {"pagination": {"total", "count", "per_page", "current_page", "total_pages"}}}.
// total_pages must be present, because without it a caller cannot tell the
// last page.
func decodeProductPage(data []byte, requestedPage int) (*ProductPage, error) {
	var raw struct {
		Data json.RawMessage `json:"data"`
		Meta json.RawMessage `json:"meta"` // PHP writes an empty meta as []
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}

	if len(raw.Data) == 0 {
		return nil, errors.New("the response has no data")
	}
	var products []Product
	if err := json.Unmarshal(raw.Data, &products); err != nil {
		return nil, fmt.Errorf("invalid data: %w", err)
	}

	var meta struct {
		Pagination struct {
			Total       looseInt  `json:"total"`
			PerPage     looseInt  `json:"per_page"`
			CurrentPage *looseInt `json:"current_page"`
			TotalPages  *looseInt `json:"total_pages"`
		} `json:"pagination"`
	}
	if json.Unmarshal(raw.Meta, &meta) != nil || meta.Pagination.TotalPages == nil {
		return nil, errors.New("the response has no meta.pagination.total_pages")
	}

	result := &ProductPage{
		Products:   products,
		Page:       requestedPage,
		PerPage:    int(meta.Pagination.PerPage),
		TotalPages: int(*meta.Pagination.TotalPages),
		Total:      int(meta.Pagination.Total),
	}
	if meta.Pagination.CurrentPage != nil {
		result.Page = int(*meta.Pagination.CurrentPage)
	}
	return result, nil
}
