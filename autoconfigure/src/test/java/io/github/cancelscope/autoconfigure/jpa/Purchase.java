package io.github.cancelscope.autoconfigure.jpa;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A row that a transaction writes before its slow query.
 */
@Entity
@Table(name = "jpa_purchases")
class Purchase {

	@Id
	private Long id;

	protected Purchase() {
	}

	Purchase(long id) {
		this.id = id;
	}

	Long getId() {
		return this.id;
	}

}
